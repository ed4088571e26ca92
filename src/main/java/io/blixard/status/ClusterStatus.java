package io.blixard.status;

import io.blixard.cluster.RaftRole;
import io.blixard.node.NodeId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * The cluster as one node sees it.
 *
 * @param reportedBy the node that answered
 */
public record ClusterStatus(
    Optional<NodeId> leaderId,
    long term,
    String groupId,
    NodeId reportedBy,
    List<ClusterMember> nodes) {

  /**
   * A node of the cluster: registry entry and Raft membership joined by node id.
   *
   * @param lastContact when the answering node last heard from it; empty when never or unknown
   * @param joinedAt empty while the node is in the Raft group but not yet in the registry
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
      Optional<Instant> joinedAt) {}
}
