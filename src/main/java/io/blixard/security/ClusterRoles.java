package io.blixard.security;

import io.blixard.node.NodeId;

/**
 * Who a caller is to the cluster, by the node id its certificate hashes to: a member (a node in the
 * replicated registry or the Raft group), an operator (an id in the registry's operator list), or a
 * node an operator pre-admitted (allowed to join). The authorization policy and the trust managers
 * ask only this.
 */
public interface ClusterRoles {

  /** Whether {@code id} is a node of the cluster. */
  boolean isMember(NodeId id);

  /** Whether {@code id} is an operator of the cluster. */
  boolean isOperator(NodeId id);

  /** Whether an operator pre-admitted {@code id} and it has not joined yet. */
  default boolean isAdmitted(NodeId id) {
    return false;
  }
}
