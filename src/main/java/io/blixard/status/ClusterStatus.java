package io.blixard.status;

import io.blixard.cluster.PeerProbe;
import io.blixard.cluster.RaftRole;
import io.blixard.node.NodeId;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The cluster as one node sees it.
 *
 * @param reportedBy the node that answered
 * @param appliedIndex the answering node's applied log index (its registry is this fresh)
 * @param commitIndex the answering node's commit index
 * @param sinceLeaderContact how long ago the answering node heard from the leader; zero on the
 *     leader, empty when it knows no leader
 */
public record ClusterStatus(
    Optional<NodeId> leaderId,
    long term,
    String groupId,
    NodeId reportedBy,
    List<ClusterMember> nodes,
    long appliedIndex,
    long commitIndex,
    Optional<Duration> sinceLeaderContact) {

  /**
   * A node of the cluster: registry entry and Raft membership joined by node id.
   *
   * @param lastContact when the answering node last heard from it; empty when never or unknown
   * @param joinedAt empty while the node is in the Raft group but not yet in the registry
   * @param reachable whether the answering node reaches it (true for itself)
   * @param probe the answering node's last Ping probe of it; empty for itself and when not probed
   */
  public record ClusterMember(
      NodeId nodeId,
      String raftAddress,
      String grpcAddress,
      String quicAddress,
      String httpAddress,
      RaftRole role,
      boolean voter,
      Optional<Instant> lastContact,
      Optional<Instant> joinedAt,
      boolean reachable,
      Optional<PeerProbe> probe) {}
}
