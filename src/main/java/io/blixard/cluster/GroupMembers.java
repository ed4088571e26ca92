package io.blixard.cluster;

import io.blixard.node.NodeId;
import java.util.List;
import java.util.Optional;

/**
 * The Raft group as one member sees it: what a joining node needs to start its Raft server in the
 * group.
 *
 * @param leaderId empty when the member knows no leader
 * @param reportedBy the member that answered
 */
public record GroupMembers(
    String groupId, Optional<NodeId> leaderId, long term, List<Member> members, NodeId reportedBy) {

  /** A member of the Raft configuration. */
  public record Member(NodeId nodeId, String raftAddress, boolean voter) {}

  /** Whether the configuration holds the node. */
  public Optional<Member> member(NodeId nodeId) {
    return members.stream().filter(m -> m.nodeId().equals(nodeId)).findFirst();
  }
}
