package io.blixard.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.blixard.rpc.ServiceNames;
import io.blixard.transport.Transport;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class MigrationStrategyTest {

  @Test
  void byDefaultEverythingGoesOverGrpcWithFallbackAndIsServedOnBoth() {
    MigrationStrategy s = MigrationStrategy.defaults();
    assertThat(s.quicSharePercent("health")).isZero();
    assertThat(s.servedOn("status")).containsExactlyInAnyOrder(Transport.GRPC, Transport.QUIC);
    assertThat(s.fallbackToGrpc()).isTrue();
    assertThat(s.raftTransport()).isEqualTo(RaftTransport.ALWAYS_GRPC);
  }

  @Test
  void preferringQuicSendsAllCallsOverQuicAndAShareOverridesIt() {
    MigrationStrategy s = MigrationStrategy.defaults().withPreferQuic("health", true);
    assertThat(s.quicSharePercent("health")).isEqualTo(100);
    assertThat(s.withQuicShare("health", 25).quicSharePercent("health")).isEqualTo(25);
    assertThat(
            s.withQuicShare("health", 25)
                .withPreferQuic("health", false)
                .quicSharePercent("health"))
        .as("setting the preference clears the share")
        .isZero();
  }

  @Test
  void unknownServicesBadSharesAndEmptyNarrowingAreRejectedWithWhatWasExpected() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> MigrationStrategy.defaults().withQuicShare("http3", 10))
        .withMessage(
            "service: unknown service \"http3\" (expected one of [health, status, monitoring, vm,"
                + " raft])");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> MigrationStrategy.defaults().withQuicShare("health", -1))
        .withMessage("quic-share.health: -1 (expected: 0 to 100)");
    assertThatIllegalArgumentException()
        .isThrownBy(
            () ->
                MigrationStrategy.defaults()
                    .withServedOn("health", EnumSet.noneOf(Transport.class)))
        .withMessageContaining("expected: grpc, quic or both");
    assertThatIllegalArgumentException()
        .isThrownBy(() -> new MigrationStrategy.Adaptive(true, Duration.ofMillis(1), 9))
        .withMessage("adaptive.min-samples: 9 (expected: >= 10)");
  }

  @Test
  void bindsFromConfigurationTheWayOperatorsWriteIt() {
    var source =
        new MapConfigurationPropertySource(
            Map.of(
                "blixard.transport.strategy.prefer-quic-for", "health,status",
                "blixard.transport.strategy.raft-transport", "adaptive",
                "blixard.transport.strategy.quic-share.monitoring", "30",
                "blixard.transport.strategy.served-on.status", "quic",
                "blixard.transport.strategy.adaptive.enabled", "true",
                "blixard.transport.strategy.adaptive.latency-threshold", "5ms"));
    MigrationStrategy s =
        new Binder(source).bind("blixard.transport.strategy", MigrationStrategy.class).get();
    assertThat(s.preferQuicFor()).isEqualTo(Set.of("health", "status"));
    assertThat(s.raftTransport()).isEqualTo(RaftTransport.ADAPTIVE);
    assertThat(s.quicSharePercent("monitoring")).isEqualTo(30);
    assertThat(s.servedOn("status")).containsExactly(Transport.QUIC);
    assertThat(s.adaptive().latencyThreshold()).isEqualTo(Duration.ofMillis(5));
    assertThat(s.adaptive().minSamples()).isEqualTo(20);
  }

  @Test
  void serviceNamesMapFullGrpcNamesToStrategyNames() {
    assertThat(ServiceNames.shortName("blixard.health.v1.HealthService")).contains("health");
    assertThat(ServiceNames.shortName("grpc.health.v1.Health")).contains("health");
    assertThat(ServiceNames.shortName("blixard.monitoring.v1.MonitoringService"))
        .contains("monitoring");
    assertThat(ServiceNames.shortName("grpc.reflection.v1.ServerReflection")).isEmpty();
    assertThat(ServiceNames.label("blixard.transport.v1.TransportService"))
        .isEqualTo("blixard.transport.v1.TransportService");
  }
}
