package io.blixard.peers;

import com.google.protobuf.ByteString;
import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.ClusterView;
import io.blixard.cluster.PeerProbes;
import io.blixard.cluster.RegisteredNode;
import io.blixard.migration.MigrationStrategy;
import io.blixard.migration.MigrationStrategyHolder;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.proto.health.v1.PingRequest;
import io.blixard.proto.health.v1.PingResponse;
import io.blixard.transport.Transport;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * Keeps one connection per peer (through {@link PeerChannels}) and probes each peer with {@code
 * HealthService/Ping} every {@code blixard.cluster.peers.probe-interval}; the results go to {@link
 * PeerProbes}. Peers are the other nodes of the registry. A peer is probed over QUIC when the
 * migration strategy sends every health call over QUIC and the peer has a QUIC address, or when the
 * peer has no gRPC address (a quic-mode node); else over gRPC.
 */
public class PeerConnector implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(PeerConnector.class);

  private final ClusterView view;
  private final NodeIdentity identity;
  private final PeerChannels channels;
  private final PeerProbes probes;
  private final MigrationStrategyHolder strategies;
  private final Duration interval;
  private final Duration timeout;
  private final Set<NodeId> inFlight = ConcurrentHashMap.newKeySet();
  private volatile ScheduledExecutorService executor;
  private volatile ScheduledFuture<?> task;

  public PeerConnector(
      ClusterView view,
      NodeIdentity identity,
      PeerChannels channels,
      PeerProbes probes,
      MigrationStrategyHolder strategies,
      ClusterProperties properties) {
    this.view = view;
    this.identity = identity;
    this.channels = channels;
    this.probes = probes;
    this.strategies = strategies;
    this.interval = properties.peers().probeInterval();
    this.timeout = properties.peers().probeTimeout();
  }

  @Override
  public synchronized void start() {
    if (executor != null) {
      return;
    }
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "blixard-peer-connector");
              t.setDaemon(true);
              return t;
            });
    task =
        executor.scheduleWithFixedDelay(
            this::probeAll, 0, interval.toMillis(), TimeUnit.MILLISECONDS);
  }

  @Override
  public synchronized void stop() {
    if (executor == null) {
      return;
    }
    task.cancel(false);
    executor.shutdownNow();
    executor = null;
  }

  @Override
  public boolean isRunning() {
    return executor != null;
  }

  /** After the listeners, so that the first probes of a starting cluster find peers serving. */
  @Override
  public int getPhase() {
    return SmartLifecycle.DEFAULT_PHASE;
  }

  /** One round: probe every peer that has no probe in flight. */
  void probeAll() {
    try {
      List<RegisteredNode> peers =
          view.registry().stream().filter(n -> !n.nodeId().equals(identity.nodeId())).toList();
      probes.retainOnly(peers.stream().map(RegisteredNode::nodeId).collect(Collectors.toSet()));
      for (RegisteredNode peer : peers) {
        if (inFlight.add(peer.nodeId())) {
          probe(peer);
        }
      }
    } catch (RuntimeException e) {
      // A failed round must not end the schedule.
      log.warn("Peer probe round failed", e);
    }
  }

  private void probe(RegisteredNode peer) {
    String address = addressOf(peer);
    if (address.isEmpty()) {
      inFlight.remove(peer.nodeId());
      probes.failed(peer.nodeId(), "", "no gRPC or QUIC address in the registry yet");
      return;
    }
    long start = System.nanoTime();
    try {
      HealthServiceGrpc.newStub(channels.channel(address))
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
          .ping(
              PingRequest.newBuilder().setPayload(ByteString.copyFromUtf8("probe")).build(),
              new StreamObserver<>() {
                @Override
                public void onNext(PingResponse reply) {
                  Duration rtt = Duration.ofNanos(System.nanoTime() - start);
                  if (!reply.getNodeId().equals(peer.nodeId().value())) {
                    probes.failed(
                        peer.nodeId(),
                        address,
                        "answered by node "
                            + reply.getNodeId()
                            + " (expected: "
                            + peer.nodeId()
                            + ")");
                  } else {
                    probes.answered(peer.nodeId(), address, rtt);
                  }
                }

                @Override
                public void onError(Throwable error) {
                  inFlight.remove(peer.nodeId());
                  Status status = Status.fromThrowable(error);
                  probes.failed(
                      peer.nodeId(),
                      address,
                      status.getCode()
                          + (status.getDescription() == null
                              ? ""
                              : ": " + status.getDescription()));
                }

                @Override
                public void onCompleted() {
                  inFlight.remove(peer.nodeId());
                }
              });
    } catch (RuntimeException e) {
      inFlight.remove(peer.nodeId());
      probes.failed(peer.nodeId(), address, e.getMessage());
    }
  }

  /**
   * Where to probe the peer: over QUIC for the health service's QUIC share of probes, as any client
   * of the strategy sends its calls, so that the canary guard sees the nodes' own calls on both
   * transports while a share is between 0 and 100 %.
   */
  private String addressOf(RegisteredNode peer) {
    MigrationStrategy strategy = strategies.strategy();
    int share = strategy.quicSharePercent("health");
    boolean quic = share >= 100 || (share > 0 && ThreadLocalRandom.current().nextInt(100) < share);
    Set<Transport> served = strategy.servedOn("health");
    if (!served.contains(quic ? Transport.QUIC : Transport.GRPC)) {
      quic = !quic;
    }
    if (quic && peer.quicAddress().isEmpty()) {
      quic = false;
    }
    if (!quic && peer.grpcAddress().isEmpty() && !peer.quicAddress().isEmpty()) {
      // A quic-mode peer listens on no gRPC port: QUIC is the only way to reach it.
      quic = true;
    }
    if (quic) {
      return peer.nodeId().value() + "@" + peer.quicAddress();
    }
    return peer.grpcAddress();
  }
}
