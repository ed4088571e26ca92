package io.blixard.api;

import com.google.protobuf.InvalidProtocolBufferException;
import io.blixard.cluster.AccessService;
import io.blixard.cluster.StrategyHistory;
import io.blixard.migration.FigureProtos;
import io.blixard.migration.MigrationStrategyHolder;
import io.blixard.migration.StrategyProtos;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.cluster.v1.SignedCommand;
import io.blixard.proto.transport.v1.GetStrategyHistoryRequest;
import io.blixard.proto.transport.v1.GetStrategyHistoryResponse;
import io.blixard.proto.transport.v1.GetTransportFiguresRequest;
import io.blixard.proto.transport.v1.GetTransportFiguresResponse;
import io.blixard.proto.transport.v1.GetTransportInfoRequest;
import io.blixard.proto.transport.v1.GetTransportInfoResponse;
import io.blixard.proto.transport.v1.SetStrategyRequest;
import io.blixard.proto.transport.v1.SetStrategyResponse;
import io.blixard.proto.transport.v1.Strategy;
import io.blixard.proto.transport.v1.StrategyChange;
import io.blixard.proto.transport.v1.TransportServiceGrpc;
import io.blixard.proto.transport.v1.WatchStrategyRequest;
import io.blixard.rpc.TransportFigures;
import io.blixard.transport.TransportProperties;
import io.blixard.transport.grpc.GrpcTransportProperties;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.Locale;
import org.springframework.grpc.server.service.GrpcService;

/**
 * Serves {@code blixard.transport.v1.TransportService}: addresses, identity, strategy, and the
 * node's transport figures.
 */
@GrpcService
public class GrpcTransportService extends TransportServiceGrpc.TransportServiceImplBase {

  private final NodeIdentity identity;
  private final NodeEndpoints endpoints;
  private final TransportProperties properties;
  private final MigrationStrategyHolder strategies;
  private final boolean grpcTls;
  private final AccessService access;
  private final StrategyHistory history;
  private final TransportFigures figures;

  public GrpcTransportService(
      NodeIdentity identity,
      NodeEndpoints endpoints,
      TransportProperties properties,
      MigrationStrategyHolder strategies,
      GrpcTransportProperties grpcProperties,
      AccessService access,
      StrategyHistory history,
      TransportFigures figures) {
    this.figures = figures;
    this.access = access;
    this.history = history;
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
    return StrategyProtos.toProto(versioned.strategy()).toBuilder()
        .setVersion(versioned.version())
        .setSource(versioned.source().tag())
        .setRevision(versioned.revision())
        .build();
  }

  @Override
  public void setStrategy(
      SetStrategyRequest request, StreamObserver<SetStrategyResponse> observer) {
    GrpcErrors.unary(
        observer,
        () -> {
          byte[] signed = request.getSignedCommand().toByteArray();
          access.change(AccessService.Change.SET_STRATEGY, signed);
          // Accepted only as the change of its base version: it became the next one.
          return SetStrategyResponse.newBuilder().setVersion(baseVersion(signed) + 1).build();
        });
  }

  /** A version's strategy as the registry stores it: the message this service wrote. */
  private static Strategy stored(io.blixard.proto.cluster.v1.StrategyChange change) {
    try {
      return Strategy.parseFrom(change.getStrategy());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(
          "strategy v" + change.getVersion() + " in the registry does not parse", e);
    }
  }

  private static long baseVersion(byte[] signed) {
    try {
      return RegistryCommand.parseFrom(SignedCommand.parseFrom(signed).getCommand())
          .getSetStrategy()
          .getBaseVersion();
    } catch (InvalidProtocolBufferException e) {
      // The registry parsed it before it accepted it.
      throw new IllegalStateException("a committed set-strategy command does not parse", e);
    }
  }

  @Override
  public void getStrategyHistory(
      GetStrategyHistoryRequest request, StreamObserver<GetStrategyHistoryResponse> observer) {
    GrpcErrors.unary(
        observer,
        () -> {
          if (request.getLimit() < 0) {
            throw new IllegalArgumentException(
                "limit: " + request.getLimit() + " (expected: 0 for all, or more)");
          }
          List<io.blixard.proto.cluster.v1.StrategyChange> all = history.versions();
          List<io.blixard.proto.cluster.v1.StrategyChange> kept =
              request.getLimit() == 0 || request.getLimit() >= all.size()
                  ? all
                  : all.subList(all.size() - request.getLimit(), all.size());
          GetStrategyHistoryResponse.Builder answer = GetStrategyHistoryResponse.newBuilder();
          for (var change : kept) {
            answer.addChanges(
                StrategyChange.newBuilder()
                    .setVersion(change.getVersion())
                    .setAtMillis(change.getAtMillis())
                    .setBy(change.getBy())
                    .setChange(change.getChange())
                    .setReason(change.getReason())
                    .setStrategy(
                        stored(change).toBuilder()
                            .setVersion(change.getVersion())
                            .setSource(MigrationStrategyHolder.Source.CLUSTER.tag())));
          }
          return answer.build();
        });
  }

  @Override
  public void getTransportFigures(
      GetTransportFiguresRequest request, StreamObserver<GetTransportFiguresResponse> observer) {
    GrpcErrors.unary(observer, () -> FigureProtos.toProto(identity.nodeId().value(), figures));
  }

  @Override
  public void watchStrategy(WatchStrategyRequest request, StreamObserver<Strategy> observer) {
    ServerCallStreamObserver<Strategy> call = (ServerCallStreamObserver<Strategy>) observer;
    // Each strategy is sent whole; one that comes while the previous is still going out replaces
    // the one waiting, so a slow watcher gets the latest, never a backlog.
    StrategyWatch watch = new StrategyWatch(call);
    Runnable stop = strategies.watch(v -> watch.send(toProto(v)));
    call.setOnCancelHandler(stop);
    call.setOnCloseHandler(stop);
    watch.send(toProto(strategies.versioned()));
  }

  /** One watcher's stream: the latest strategy goes out as soon as the stream is ready. */
  private static final class StrategyWatch {
    private final ServerCallStreamObserver<Strategy> call;
    private Strategy pending;
    private Strategy sent;

    StrategyWatch(ServerCallStreamObserver<Strategy> call) {
      this.call = call;
      call.setOnReadyHandler(this::drain);
    }

    synchronized void send(Strategy strategy) {
      pending = strategy;
      drain();
    }

    private synchronized void drain() {
      if (pending == null || call.isCancelled() || !call.isReady()) {
        return;
      }
      Strategy next = pending;
      pending = null;
      if (!next.equals(sent)) {
        sent = next;
        call.onNext(next);
      }
    }
  }
}
