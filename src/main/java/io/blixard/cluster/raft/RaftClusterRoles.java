package io.blixard.cluster.raft;

import io.blixard.cluster.ClusterView;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.RegisteredNode;
import io.blixard.node.NodeId;
import io.blixard.security.ClusterRoles;
import io.blixard.security.SecurityProperties;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A stand-in for the registry's roles until the registry keeps operators: members are the nodes of
 * the replicated registry and of this node's Raft configuration, operators the ids of {@code
 * blixard.security.operators}.
 */
final class RaftClusterRoles implements ClusterRoles {

  private final ClusterView view;
  private final Set<NodeId> operators;

  RaftClusterRoles(ClusterView view, SecurityProperties security) {
    this.view = view;
    this.operators =
        security.operators().stream().map(NodeId::parse).collect(Collectors.toUnmodifiableSet());
  }

  @Override
  public boolean isMember(NodeId id) {
    if (view.registry().stream().map(RegisteredNode::nodeId).anyMatch(id::equals)) {
      return true;
    }
    return view.state().stream()
        .flatMap(s -> s.members().stream())
        .map(RaftState.Member::nodeId)
        .anyMatch(id::equals);
  }

  @Override
  public boolean isOperator(NodeId id) {
    return operators.contains(id);
  }
}
