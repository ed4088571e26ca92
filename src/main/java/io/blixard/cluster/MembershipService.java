package io.blixard.cluster;

import io.blixard.node.NodeId;
import java.util.Optional;

/** Joins and leaves of the Raft group, answered by any member whatever transport asks. */
public interface MembershipService {

  /**
   * The group as this member sees it.
   *
   * @throws ClusterUnavailableException when Raft is not running here
   */
  GroupMembers members();

  /**
   * The group, for {@code caller}: a caller that is neither a member, an operator nor a
   * pre-admitted node must present a valid join token. An empty caller (the transport named none)
   * is not checked.
   *
   * @throws AccessDeniedException when the caller may not learn the group
   */
  default GroupMembers members(Optional<NodeId> caller, String joinToken) {
    return members();
  }

  /**
   * Admits the node (its signed join command goes to the Raft state machine, which checks its token
   * or pre-admission), then adds it as a voter; repeating a join that succeeded answers the same.
   *
   * @throws IllegalArgumentException when the node id is not the hash of the public key
   * @throws MemberConflictException when the id is a member with another Raft address
   * @throws AccessDeniedException when the node is not admitted, or the caller is not the node
   * @throws ClusterUnavailableException when no leader is known or the change did not complete
   */
  GroupMembers join(JoinApplication application);

  /** {@link #leave(Optional, Optional, byte[])} without a caller or a signed command. */
  default LeaveResult leave(Optional<NodeId> nodeId) {
    return leave(nodeId, Optional.empty(), new byte[0]);
  }

  /**
   * Removes the node (this one when empty) from the group and the registry; a leaving leader hands
   * leadership to another voter first. This node signs its own removal; another node's needs its
   * remove command signed by an operator or by that node ({@code signedRemove}, a serialized {@code
   * blixard.cluster.v1.SignedCommand}), checked before anything changes.
   *
   * @throws IllegalStateException when the node is the last voter
   * @throws AccessDeniedException when the removal of another node is not signed by an operator or
   *     by that node
   * @throws ClusterUnavailableException when no leader is known or the change did not complete
   */
  LeaveResult leave(Optional<NodeId> nodeId, Optional<NodeId> caller, byte[] signedRemove);
}
