package io.blixard.transport.quic.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.migration.RaftTransport;
import io.blixard.support.MutableClock;
import io.blixard.transport.Transport;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class RaftPathChooserTest {

  private static final Duration PROBE = Duration.ofSeconds(5);

  private final MutableClock clock = new MutableClock(Instant.parse("2026-12-04T20:00:00Z"));
  private final RaftPathChooser chooser = new RaftPathChooser(clock, PROBE);

  @Test
  void theStrategyNamesTheTransportAndAPeerWithoutAQuicAddressIsReachedOverGrpc() {
    assertThat(chooser.choose("b", RaftTransport.ALWAYS_GRPC, true)).isEqualTo(Transport.GRPC);
    assertThat(chooser.choose("b", RaftTransport.ALWAYS_QUIC, true)).isEqualTo(Transport.QUIC);
    assertThat(chooser.inUse("b")).contains(Transport.QUIC);
    assertThat(chooser.choose("c", RaftTransport.ALWAYS_QUIC, false)).isEqualTo(Transport.GRPC);
    assertThat(chooser.inUse("d")).isEmpty();
  }

  @Test
  void aFailedTransportFallsBackToTheOtherUntilItSucceedsAgain() {
    chooser.failed("b", Transport.QUIC);

    assertThat(chooser.choose("b", RaftTransport.ALWAYS_QUIC, true)).isEqualTo(Transport.GRPC);
    clock.advance(PROBE.multipliedBy(3));
    assertThat(chooser.choose("b", RaftTransport.ALWAYS_QUIC, true)).isEqualTo(Transport.GRPC);
    // Another peer is not affected.
    assertThat(chooser.choose("c", RaftTransport.ALWAYS_QUIC, true)).isEqualTo(Transport.QUIC);

    chooser.succeeded("b", Transport.QUIC, Duration.ofMillis(1));
    assertThat(chooser.choose("b", RaftTransport.ALWAYS_QUIC, true)).isEqualTo(Transport.QUIC);
  }

  @Test
  void withBothTransportsDownTheWantedOneIsTried() {
    chooser.failed("b", Transport.QUIC);
    chooser.failed("b", Transport.GRPC);

    assertThat(chooser.choose("b", RaftTransport.ALWAYS_QUIC, true)).isEqualTo(Transport.QUIC);
    assertThat(chooser.choose("b", RaftTransport.ALWAYS_GRPC, true)).isEqualTo(Transport.GRPC);
  }

  @Test
  void adaptiveSwitchesOnlyToAClearlyFasterTransportAndNotBeforeItsChoiceHeld() {
    chooser.succeeded("b", Transport.GRPC, Duration.ofMillis(10));
    chooser.succeeded("b", Transport.QUIC, Duration.ofMillis(9));
    // 10 % faster is within the margin: no switch, however long.
    clock.advance(PROBE);
    assertThat(chooser.choose("b", RaftTransport.ADAPTIVE, true)).isEqualTo(Transport.GRPC);

    for (int i = 0; i < 20; i++) {
      chooser.succeeded("b", Transport.QUIC, Duration.ofMillis(5));
    }
    assertThat(chooser.choose("b", RaftTransport.ADAPTIVE, true)).isEqualTo(Transport.QUIC);

    // gRPC gets faster again at once: the new choice holds for a probe interval first.
    for (int i = 0; i < 20; i++) {
      chooser.succeeded("b", Transport.GRPC, Duration.ofMillis(1));
    }
    clock.advance(PROBE.minusSeconds(1));
    assertThat(chooser.choose("b", RaftTransport.ADAPTIVE, true)).isEqualTo(Transport.QUIC);
    clock.advance(Duration.ofSeconds(1));
    assertThat(chooser.choose("b", RaftTransport.ADAPTIVE, true)).isEqualTo(Transport.GRPC);
  }

  @Test
  void adaptiveFallsBackFromAFailedChoiceWithoutChangingIt() {
    chooser.succeeded("b", Transport.GRPC, Duration.ofMillis(10));
    chooser.failed("b", Transport.GRPC);

    assertThat(chooser.choose("b", RaftTransport.ADAPTIVE, true)).isEqualTo(Transport.QUIC);
    chooser.succeeded("b", Transport.GRPC, Duration.ofMillis(10));
    assertThat(chooser.choose("b", RaftTransport.ADAPTIVE, true)).isEqualTo(Transport.GRPC);
  }

  @Test
  void theProbeIntervalMustBePositive() {
    assertThatThrownBy(() -> new RaftPathChooser(clock, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("probeInterval: PT0S (expected: > 0)");
  }
}
