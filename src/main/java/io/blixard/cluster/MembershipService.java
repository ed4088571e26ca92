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
   * Adds the node as a voter and to the registry; repeating a join that succeeded answers the same.
   *
   * @throws IllegalArgumentException when the node id is not the hash of the public key
   * @throws MemberConflictException when the id is a member with another Raft address
   * @throws ClusterUnavailableException when no leader is known or the change did not complete
   */
  GroupMembers join(JoinApplication application);

  /**
   * Removes the node (this one when empty) from the group and the registry; a leaving leader hands
   * leadership to another voter first.
   *
   * @throws IllegalStateException when the node is the last voter
   * @throws ClusterUnavailableException when no leader is known or the change did not complete
   */
  LeaveResult leave(Optional<NodeId> nodeId);
}
