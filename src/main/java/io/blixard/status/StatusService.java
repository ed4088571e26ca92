package io.blixard.status;

import io.blixard.cluster.RaftState;

/** The cluster's membership and this node's Raft state, whatever transport asks. */
public interface StatusService {

  /**
   * Leader, term and every node with its addresses, role and last contact.
   *
   * @throws io.blixard.cluster.ClusterUnavailableException when Raft is not running
   */
  ClusterStatus clusterStatus();

  /**
   * This node's role, term, leader, indices and, on the leader, each follower's progress.
   *
   * @throws io.blixard.cluster.ClusterUnavailableException when Raft is not running
   */
  RaftState raftStatus();
}
