package io.blixard.cluster;

import io.blixard.node.NodeId;

/**
 * Changes to the Raft group's configuration: members in and out, leadership handed over. Each
 * returns once the change is done; the Raft engine implements it.
 */
public interface GroupAdmin {

  /**
   * Adds a voter; returns once the new configuration is committed, which needs the new server to
   * have caught up with the leader's log.
   *
   * @throws ClusterUnavailableException when the change did not complete
   */
  void addVoter(NodeId nodeId, String raftAddress);

  /**
   * Removes a member from the configuration, if it is in it.
   *
   * @return whether it was a member
   * @throws IllegalStateException when it is the only voter
   * @throws ClusterUnavailableException when the change did not complete
   */
  boolean removeMember(NodeId nodeId);

  /**
   * Asks the leader to hand leadership to another voter, and waits until it has.
   *
   * @throws ClusterUnavailableException when the transfer did not complete
   */
  void transferLeadership(NodeId to);
}
