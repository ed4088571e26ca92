package io.blixard.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.proto.transport.v1.Strategy;
import io.blixard.proto.transport.v1.Transports;
import io.blixard.transport.Transport;
import java.time.Duration;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class StrategyProtosTest {

  @Test
  void aStrategySurvivesTheTripFromNodeToClient() {
    MigrationStrategy strategy =
        MigrationStrategy.defaults()
            .withPreferQuic("health", true)
            .withQuicShare("status", 30)
            .withServedOn("monitoring", EnumSet.of(Transport.GRPC))
            .withFallbackToGrpc(false)
            .withAdaptive(new MigrationStrategy.Adaptive(true, Duration.ofMillis(3), 15));
    Strategy proto = StrategyProtos.toProto(strategy);
    assertThat(StrategyProtos.fromProto(proto)).isEqualTo(strategy);
    assertThat(StrategyProtos.parse(proto.toByteArray())).isEqualTo(strategy);
  }

  @Test
  void servicesAndTransportsFromANewerNodeAreLeftOutNotFatal() {
    Strategy proto =
        Strategy.newBuilder()
            .addPreferQuicFor("health")
            .addPreferQuicFor("storage")
            .putQuicShare("gpu", 40)
            .putServedOn("status", Transports.newBuilder().addTransports("webtransport").build())
            .setRaftTransport("carrier-pigeon")
            .setFallbackToGrpc(true)
            .build();
    MigrationStrategy strategy = StrategyProtos.fromProto(proto);
    assertThat(strategy.preferQuicFor()).containsExactly("health");
    assertThat(strategy.quicShare()).isEmpty();
    assertThat(strategy.servedOn()).isEmpty();
    assertThat(strategy.raftTransport()).isEqualTo(RaftTransport.ALWAYS_GRPC);
  }

  @Test
  void theGuardsSettingsTravelWithTheStrategy() {
    MigrationStrategy strategy =
        MigrationStrategy.defaults()
            .withGuard(
                new MigrationStrategy.Guard(
                    false,
                    Duration.ofSeconds(10),
                    Duration.ofSeconds(2),
                    80,
                    0.0,
                    1.5,
                    new MigrationStrategy.Promote(true, 10, 4)));
    assertThat(StrategyProtos.parse(StrategyProtos.toProto(strategy).toByteArray()))
        .isEqualTo(strategy);
  }

  @Test
  void aStrategyStoredBeforeTheGuardGetsTheGuardsDefaults() {
    Strategy stored =
        StrategyProtos.toProto(MigrationStrategy.defaults()).toBuilder().clearGuard().build();
    assertThat(StrategyProtos.fromProto(stored).guard())
        .isEqualTo(MigrationStrategy.Guard.defaults());
    assertThat(MigrationStrategy.Guard.defaults().enabled()).isTrue();
  }
}
