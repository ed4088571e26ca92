package io.blixard.cluster;

import io.blixard.node.NodeId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * What the rest of the node reads of the cluster: this node's view of the Raft group, the
 * replicated registry, and what it knows of each peer's reachability. Health, status, monitoring
 * and the peer connector depend only on this, so they are tested with a plain fake; the Raft engine
 * behind it stays in {@code cluster.raft}.
 */
public interface ClusterView {

  /** This node's id. */
  NodeId nodeId();

  /** This node's view of the Raft group now; empty when Raft is not running. */
  Optional<RaftState> state();

  /**
   * This node's view of the Raft group now.
   *
   * @throws ClusterUnavailableException when Raft is not running
   */
  default RaftState requireState() {
    return state()
        .orElseThrow(() -> new ClusterUnavailableException("Raft is not running on this node"));
  }

  /** The nodes in the replicated registry, ordered by node id, as applied on this node. */
  List<RegisteredNode> registry();

  /** This node's last Ping probe of a peer; empty when it was never probed. */
  Optional<PeerProbe> probe(NodeId peer);

  /** How long a member may stay silent before this node counts it as unreachable. */
  Duration peerTimeout();

  /** How many times this node has seen the leader change since it started. */
  long leaderChanges();

  /**
   * Whether this node reaches {@code node} now, by the one rule of {@link PeerContact#of}: from the
   * Raft contact in {@code state} and the last Ping probe, within {@link #peerTimeout()}.
   */
  default PeerContact contact(RaftState state, NodeId node, Instant now) {
    Optional<PeerProbe> probe = node.equals(state.nodeId()) ? Optional.empty() : probe(node);
    return PeerContact.of(state, node, probe, now, peerTimeout());
  }
}
