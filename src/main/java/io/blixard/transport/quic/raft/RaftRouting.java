package io.blixard.transport.quic.raft;

import io.blixard.migration.RaftPeerTransports;
import io.blixard.migration.RaftTransport;
import io.blixard.node.NodeId;
import io.blixard.transport.Transport;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * What the Raft router reads at run time and what it shows: the current strategy's {@code
 * raft-transport} (read per call), each peer's QUIC address from the registry, the {@link
 * RaftPathChooser} with each peer's transport in use, the gRPC path's call metrics, and the gauge
 * {@code blixard.raft.peer.transport{peer,transport}} (1 for the transport the peer's last Raft
 * call took, 0 for the other). It outlives the Ratis RPCs, which Ratis builds anew at every start.
 */
public final class RaftRouting implements RaftPeerTransports {

  /** The key of this object in Ratis's {@code Parameters}. */
  public static final String PARAMETER = "blixard.raft.routing";

  static final String PEER_TRANSPORT = "blixard.raft.peer.transport";

  private final Supplier<RaftTransport> strategy;
  private final Function<NodeId, Optional<String>> quicAddresses;
  private final RaftPathChooser chooser;
  private final RaftRpcMetrics grpcMetrics;
  private final MeterRegistry meters;
  private final Set<String> measuredPeers = ConcurrentHashMap.newKeySet();
  private final Duration probeInterval;

  /**
   * @param strategy the {@code raft-transport} of the strategy the node follows now
   * @param quicAddresses a peer's QUIC address ({@code host:port}) from the registry, if it has one
   * @param probeInterval how often a peer's down transports are probed (under adaptive, both), and
   *     the least time adaptive keeps a choice
   */
  public RaftRouting(
      Supplier<RaftTransport> strategy,
      Function<NodeId, Optional<String>> quicAddresses,
      Duration probeInterval,
      Clock clock,
      MeterRegistry meters) {
    this.strategy = Objects.requireNonNull(strategy, "strategy");
    this.quicAddresses = Objects.requireNonNull(quicAddresses, "quicAddresses");
    this.chooser = new RaftPathChooser(clock, probeInterval);
    this.probeInterval = probeInterval;
    this.meters = Objects.requireNonNull(meters, "meters");
    this.grpcMetrics = new RaftRpcMetrics(meters, Transport.GRPC.tag());
  }

  RaftTransport strategy() {
    return strategy.get();
  }

  Optional<String> quicAddress(NodeId peer) {
    return quicAddresses.apply(peer).filter(a -> !a.isBlank());
  }

  Duration probeInterval() {
    return probeInterval;
  }

  RaftPathChooser chooser() {
    return chooser;
  }

  RaftRpcMetrics grpcMetrics() {
    return grpcMetrics;
  }

  /** Registers the gauge of {@code peer}'s transport in use, once per peer. */
  void measure(String peer) {
    if (!measuredPeers.add(peer)) {
      return;
    }
    for (Transport transport : Transport.values()) {
      Gauge.builder(
              PEER_TRANSPORT,
              chooser,
              c -> c.inUse(peer).filter(transport::equals).isPresent() ? 1 : 0)
          .description("1 for the transport this node's last Raft call to the peer took, else 0")
          .tags("peer", peer, "transport", transport.tag())
          .register(meters);
    }
  }

  /** Each peer's transport in use (the one its last Raft call took), by peer id. */
  @Override
  public Map<String, String> transportsInUse() {
    Map<String, String> inUse = new TreeMap<>();
    for (String peer : measuredPeers) {
      chooser.inUse(peer).ifPresent(t -> inUse.put(peer, t.tag()));
    }
    return inUse;
  }
}
