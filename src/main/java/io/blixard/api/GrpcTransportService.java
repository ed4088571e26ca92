package io.blixard.api;

import io.blixard.migration.MigrationStrategy;
import io.blixard.migration.MigrationStrategyHolder;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.transport.v1.Adaptive;
import io.blixard.proto.transport.v1.GetTransportInfoRequest;
import io.blixard.proto.transport.v1.GetTransportInfoResponse;
import io.blixard.proto.transport.v1.Strategy;
import io.blixard.proto.transport.v1.TransportServiceGrpc;
import io.blixard.proto.transport.v1.Transports;
import io.blixard.transport.Transport;
import io.blixard.transport.TransportProperties;
import io.blixard.transport.grpc.GrpcTransportProperties;
import io.grpc.stub.StreamObserver;
import java.util.Locale;
import org.springframework.grpc.server.service.GrpcService;

/** Serves {@code blixard.transport.v1.TransportService}: addresses, identity and strategy. */
@GrpcService
public class GrpcTransportService extends TransportServiceGrpc.TransportServiceImplBase {

  private final NodeIdentity identity;
  private final NodeEndpoints endpoints;
  private final TransportProperties properties;
  private final MigrationStrategyHolder strategies;
  private final boolean grpcTls;

  public GrpcTransportService(
      NodeIdentity identity,
      NodeEndpoints endpoints,
      TransportProperties properties,
      MigrationStrategyHolder strategies,
      GrpcTransportProperties grpcProperties) {
    this.grpcTls = grpcProperties.tls().enabled();
    this.identity = identity;
    this.endpoints = endpoints;
    this.properties = properties;
    this.strategies = strategies;
  }

  @Override
  public void getTransportInfo(
      GetTransportInfoRequest request, StreamObserver<GetTransportInfoResponse> observer) {
    GrpcErrors.unary(
        observer,
        () ->
            GetTransportInfoResponse.newBuilder()
                .setNodeId(identity.nodeId().value())
                .setMode(properties.mode().name().toLowerCase(Locale.ROOT))
                .setGrpcAddress(endpoints.hostAndPort(NodeEndpoints.Kind.GRPC))
                .setQuicAddress(endpoints.hostAndPort(NodeEndpoints.Kind.QUIC))
                .setHttpAddress(endpoints.hostAndPort(NodeEndpoints.Kind.HTTP))
                .setStrategy(toProto(strategies.versioned()))
                .setGrpcTls(grpcTls)
                .build());
  }

  /** The strategy as it travels to clients. */
  public static Strategy toProto(MigrationStrategyHolder.Versioned versioned) {
    MigrationStrategy s = versioned.strategy();
    Strategy.Builder proto =
        Strategy.newBuilder()
            .setVersion(versioned.version())
            .addAllPreferQuicFor(s.preferQuicFor())
            .setRaftTransport(s.raftTransport().name().toLowerCase(Locale.ROOT).replace('_', '-'))
            .setFallbackToGrpc(s.fallbackToGrpc())
            .setAdaptive(
                Adaptive.newBuilder()
                    .setEnabled(s.adaptive().enabled())
                    .setLatencyThresholdMicros(s.adaptive().latencyThreshold().toNanos() / 1000)
                    .setMinSamples(s.adaptive().minSamples()));
    s.quicShare().forEach(proto::putQuicShare);
    s.servedOn()
        .forEach(
            (service, transports) ->
                proto.putServedOn(
                    service,
                    Transports.newBuilder()
                        .addAllTransports(transports.stream().map(Transport::tag).sorted().toList())
                        .build()));
    return proto.build();
  }
}
