package io.blixard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class SettingsTest {

  @Test
  void shouldRunFiveRoundsInFullModeAndTwoInQuickModeByDefault() {
    assertThat(Settings.named("full", "default").rounds()).isEqualTo(5);
    assertThat(Settings.named("quick", "default").rounds()).isEqualTo(2);
  }

  @Test
  void shouldTakeTheRoundsGiven() {
    Settings settings = Settings.named("quick", "7");

    assertThat(settings.rounds()).isEqualTo(7);
    assertThat(settings.withRounds(7)).isEqualTo(settings);
    assertThat(settings.payloads()).isEqualTo(Settings.quick().payloads());
  }

  @Test
  void shouldRejectRoundsThatAreNotAWholeNumberInRange() {
    for (String bad : new String[] {"0", "-1", "51", "many", ""}) {
      assertThatThrownBy(() -> Settings.named("full", bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage("--rounds " + bad + " (expected: a whole number from 1 to 50, or default)");
    }
    assertThatThrownBy(() -> Settings.quick().withRounds(0))
        .hasMessage("rounds: 0 (expected: 1 to 50)");
  }

  @Test
  void shouldRejectAnUnknownMode() {
    assertThatThrownBy(() -> Settings.named("fast", "default"))
        .hasMessage("--mode fast (expected: full or quick)");
  }

  @Test
  void shouldRunEverySectionUnlessToldWhich() {
    assertThat(Settings.named("full", "default", "all").sections())
        .containsExactlyInAnyOrder(Settings.Section.TRANSPORT, Settings.Section.RAFT);
    assertThat(Settings.full().sectionList()).isEqualTo("transport,raft");

    Settings raft = Settings.named("quick", "1", "raft");

    assertThat(raft.runs(Settings.Section.RAFT)).isTrue();
    assertThat(raft.runs(Settings.Section.TRANSPORT)).isFalse();
    assertThat(raft.sectionList()).isEqualTo("raft");
    assertThat(raft.rounds()).isEqualTo(1);
    assertThat(Settings.Section.parse(" Raft , transport"))
        .containsExactlyInAnyOrder(Settings.Section.TRANSPORT, Settings.Section.RAFT);
  }

  @Test
  void shouldRejectAnUnknownOrMissingSection() {
    for (String bad : new String[] {"consensus", "raft,", ""}) {
      assertThatThrownBy(() -> Settings.named("full", "default", bad))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessage(
              "--sections "
                  + bad
                  + " (expected: a comma-separated list of transport, raft, or all)");
    }
  }

  @Test
  void shouldMeasureRaftAtEveryLossEvenInQuickMode() {
    // The aims compare the transports without loss and at 5 %: a quick run still has both.
    assertThat(Settings.quick().raft().losses()).containsExactly(0, 1, 5);
    assertThat(Settings.full().raft().concurrencies()).containsExactly(1, 16);
    assertThatThrownBy(
            () ->
                new Settings.Raft(List.of(0), List.of(1), Duration.ZERO, Duration.ofSeconds(1), 0))
        .hasMessage("kills: 0 (expected: at least 1)");
  }

  @Test
  void shouldWriteAReportOfSomeSectionsOutsideThePublishedOne() {
    Path jar = Path.of("/w/target/blixard.jar");

    assertThat(BenchMain.outputDirectory(Settings.named("full", "3", "raft"), jar, "/w/docs/b"))
        .isEqualTo(Path.of("/w/target/bench-raft"));
    assertThat(BenchMain.outputDirectory(Settings.named("quick", "1", "raft"), jar, "/w/docs/b"))
        .isEqualTo(Path.of("/w/target/bench-quick"));
    assertThat(BenchMain.outputDirectory(Settings.named("full", "5", "all"), jar, "/w/docs/b"))
        .isEqualTo(Path.of("/w/docs/b"));
  }
}
