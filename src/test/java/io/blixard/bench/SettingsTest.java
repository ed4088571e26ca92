package io.blixard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
}
