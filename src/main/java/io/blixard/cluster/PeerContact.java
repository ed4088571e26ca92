package io.blixard.cluster;

import io.blixard.node.NodeId;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * Whether this node reaches another node of the cluster, and the evidence.
 *
 * @param reachable true for this node itself; for another, whether Raft or a Ping probe heard from
 *     it within the peer timeout
 * @param lastContact the latest of the Raft contact and the answered probe; empty when neither
 * @param probe this node's last Ping probe of it; empty for itself and when not probed yet
 */
public record PeerContact(
    NodeId nodeId, boolean reachable, Optional<Instant> lastContact, Optional<PeerProbe> probe) {

  /**
   * The one rule for "reachable within the peer timeout", used by health, status and monitoring.
   *
   * @param state this node's view of the Raft group, for the Raft contact with members
   * @param probe this node's last Ping probe of the node
   */
  public static PeerContact of(
      RaftState state, NodeId node, Optional<PeerProbe> probe, Instant now, Duration timeout) {
    Optional<RaftState.Member> member =
        state.members().stream().filter(m -> m.nodeId().equals(node)).findFirst();
    Optional<Instant> raftContact = member.flatMap(RaftState.Member::lastContact);
    Optional<Instant> probeContact = probe.flatMap(PeerProbe::lastContact);
    boolean reachable =
        node.equals(state.nodeId())
            || member.filter(m -> m.reachable(now, timeout)).isPresent()
            || RaftState.Member.within(probeContact, now, timeout);
    return new PeerContact(node, reachable, latest(raftContact, probeContact), probe);
  }

  private static Optional<Instant> latest(Optional<Instant> a, Optional<Instant> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return a.get().isAfter(b.get()) ? a : b;
  }
}
