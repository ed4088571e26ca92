package io.blixard.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.migration.MigrationStrategy;
import io.blixard.migration.MigrationStrategyHolder;
import io.blixard.node.NodeEndpoints;
import io.blixard.proto.transport.v1.GetTransportInfoRequest;
import io.blixard.proto.transport.v1.GetTransportInfoResponse;
import io.blixard.proto.transport.v1.Strategy;
import io.blixard.proto.transport.v1.TransportServiceGrpc;
import io.blixard.support.SingleNodeTestSupport;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * {@code blixard.transport.v1.TransportService}: what a client that knows one address needs to find
 * the other transport, the same over every transport (one subclass per transport).
 */
public abstract class TransportContractTest extends SingleNodeTestSupport {

  @Autowired private MigrationStrategyHolder strategies;

  private GetTransportInfoResponse info() {
    return TransportServiceGrpc.newBlockingStub(channel())
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .getTransportInfo(GetTransportInfoRequest.getDefaultInstance());
  }

  @Test
  void transportInfoNamesTheNodeItsModeAndEveryListener() {
    GetTransportInfoResponse info = info();

    assertThat(info.getNodeId()).isEqualTo(identity.nodeId().value());
    assertThat(info.getMode()).isEqualTo("dual");
    assertThat(info.getGrpcAddress()).isEqualTo(endpoints.hostAndPort(NodeEndpoints.Kind.GRPC));
    assertThat(info.getQuicAddress()).isEqualTo(endpoints.hostAndPort(NodeEndpoints.Kind.QUIC));
    assertThat(info.getHttpAddress()).isEqualTo(endpoints.hostAndPort(NodeEndpoints.Kind.HTTP));
    assertThat(info.getGrpcTls()).as("gRPC speaks TLS by default").isTrue();
  }

  @Test
  void transportInfoCarriesTheCurrentStrategy() {
    // The strategy of the shared node as it is now (other tests change it at run time and reset
    // it).
    MigrationStrategyHolder.Versioned current = strategies.versioned();
    MigrationStrategy expected = current.strategy();

    Strategy strategy = info().getStrategy();

    assertThat(strategy.getVersion()).isEqualTo(current.version());
    assertThat(strategy.getPreferQuicForList())
        .containsExactlyInAnyOrderElementsOf(expected.preferQuicFor());
    assertThat(strategy.getRaftTransport())
        .isEqualTo(expected.raftTransport().name().toLowerCase(Locale.ROOT).replace('_', '-'))
        .isIn("always-grpc", "always-quic", "adaptive");
    assertThat(strategy.getFallbackToGrpc()).isEqualTo(expected.fallbackToGrpc());
    assertThat(strategy.getQuicShareMap()).isEqualTo(expected.quicShare());
    assertThat(strategy.getAdaptive().getEnabled()).isEqualTo(expected.adaptive().enabled());
    assertThat(strategy.getAdaptive().getLatencyThresholdMicros())
        .isEqualTo(expected.adaptive().latencyThreshold().toNanos() / 1000);
    assertThat(strategy.getAdaptive().getMinSamples()).isEqualTo(expected.adaptive().minSamples());
    expected
        .servedOn()
        .forEach(
            (service, transports) ->
                assertThat(strategy.getServedOnMap().get(service).getTransportsList())
                    .containsExactlyInAnyOrderElementsOf(
                        transports.stream().map(t -> t.tag()).toList()));
    assertThat(strategy.getServedOnMap()).hasSameSizeAs(expected.servedOn());
  }
}
