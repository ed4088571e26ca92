package io.blixard.transport.quic.raft;

import io.blixard.node.NodeAddress;
import io.blixard.node.NodeId;
import io.blixard.transport.quic.client.QuicConnectionPool;
import io.blixard.transport.quic.client.QuicRpcChannel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.RaftServer;

/**
 * What Raft over QUIC shares between the Ratis factory (which Ratis builds by reflection and hands
 * this through its parameters) and the {@code blixard.raft.v1} service: the node's QUIC connection
 * pool for outgoing calls, the QUIC listener's address, and the Ratis server that incoming calls go
 * to, with whose certificates it accepts.
 */
public final class QuicRaftEndpoint {

  /** The key of this endpoint in Ratis's {@code Parameters}. */
  public static final String PARAMETER = "blixard.raft.quic-endpoint";

  /** The Ratis server of this node, and whose calls it takes (null: anyone's, insecure mode). */
  record Attached(RaftServer server, Predicate<NodeId> trust) {

    boolean trusts(Optional<NodeId> caller) {
      return trust == null || caller.filter(trust).isPresent();
    }
  }

  private final QuicConnectionPool pool;
  private final Supplier<Optional<InetSocketAddress>> localAddress;
  private final Function<NodeId, Optional<String>> registeredQuicAddresses;
  private final RaftRpcMetrics metrics;
  private final AtomicReference<Attached> attached = new AtomicReference<>();

  /**
   * @param localAddress where the QUIC listener is bound, once it is
   * @param registeredQuicAddresses a node's QUIC address ({@code host:port}) in the registry, if it
   *     has one
   */
  public QuicRaftEndpoint(
      QuicConnectionPool pool,
      Supplier<Optional<InetSocketAddress>> localAddress,
      Function<NodeId, Optional<String>> registeredQuicAddresses,
      MeterRegistry meters) {
    this.pool = Objects.requireNonNull(pool, "pool");
    this.localAddress = Objects.requireNonNull(localAddress, "localAddress");
    this.registeredQuicAddresses =
        Objects.requireNonNull(registeredQuicAddresses, "registeredQuicAddresses");
    this.metrics = new RaftRpcMetrics(meters == null ? new SimpleMeterRegistry() : meters, "quic");
  }

  /** Incoming Raft calls go to {@code server} from now on. */
  void attach(RaftServer server, Predicate<NodeId> trust) {
    attached.set(new Attached(Objects.requireNonNull(server, "server"), trust));
  }

  /** Incoming Raft calls find no server, unless another one was attached meanwhile. */
  void detach(RaftServer server) {
    attached.updateAndGet(a -> a != null && a.server() == server ? null : a);
  }

  /**
   * Whether Raft on this node takes calls from {@code peer} now: a member, or a node being added.
   * False while Raft is not running here; true for every id in insecure mode.
   */
  public boolean takesRaftCallsFrom(NodeId peer) {
    Attached now = attached.get();
    return now != null && now.trusts(Optional.of(peer));
  }

  /** The server incoming calls go to; empty while Raft is not running on this node. */
  Optional<Attached> attached() {
    return Optional.ofNullable(attached.get());
  }

  /**
   * A channel to {@code peer}, accepting only the certificate of the node id that is the peer's
   * Raft id: at its QUIC address in the registry, else at its Raft address, which is its QUIC
   * address when the group was started with Raft over QUIC. A member whose Raft address is still
   * the Raft port it had under gRPC (a cluster moved to quic mode node by node) is reached at its
   * registered QUIC address. Resolved per call: the registry may learn the address later.
   */
  QuicRpcChannel channel(RaftPeer peer) {
    NodeId id = NodeId.parse(peer.getId().toString());
    return channel(id, quicAddress(id).orElse(peer.getAddress()));
  }

  /** A node's QUIC address in the registry, if it has one. */
  public Optional<String> quicAddress(NodeId id) {
    return registeredQuicAddresses.apply(id).filter(a -> !a.isBlank());
  }

  /** A channel to node {@code id} at the QUIC address {@code address}, pinned to {@code id}. */
  QuicRpcChannel channel(NodeId id, String address) {
    return pool.channel(
        NodeAddress.parseHostAndPort("Raft address of " + id.shortForm(), address).pinnedTo(id));
  }

  /** The QUIC listener's address; empty before it is bound. */
  Optional<InetSocketAddress> localAddress() {
    return localAddress.get();
  }

  RaftRpcMetrics metrics() {
    return metrics;
  }
}
