package io.blixard.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.api.GrpcTransportService;
import io.blixard.migration.MigrationStrategy;
import io.blixard.migration.MigrationStrategyHolder;
import io.blixard.migration.RaftTransport;
import io.blixard.proto.transport.v1.Strategy;
import io.blixard.proto.transport.v1.Transports;
import io.blixard.transport.Transport;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import org.junit.jupiter.api.Test;

class StrategiesTest {

  @Test
  void aStrategySurvivesTheTripFromNodeToClient() {
    MigrationStrategy strategy =
        MigrationStrategy.defaults()
            .withPreferQuic("health", true)
            .withQuicShare("status", 30)
            .withServedOn("monitoring", EnumSet.of(Transport.GRPC))
            .withFallbackToGrpc(false)
            .withAdaptive(new MigrationStrategy.Adaptive(true, Duration.ofMillis(3), 15));
    Strategy proto =
        GrpcTransportService.toProto(
            new MigrationStrategyHolder.Versioned(strategy, 4, Instant.now(), "test", "change"));
    assertThat(proto.getVersion()).isEqualTo(4);
    assertThat(Strategies.fromProto(proto)).isEqualTo(strategy);
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
    MigrationStrategy strategy = Strategies.fromProto(proto);
    assertThat(strategy.preferQuicFor()).containsExactly("health");
    assertThat(strategy.quicShare()).isEmpty();
    assertThat(strategy.servedOn()).isEmpty();
    assertThat(strategy.raftTransport()).isEqualTo(RaftTransport.ALWAYS_GRPC);
  }
}
