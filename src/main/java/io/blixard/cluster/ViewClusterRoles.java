package io.blixard.cluster;

import io.blixard.node.NodeId;
import io.blixard.security.ClusterRoles;
import io.blixard.security.OperatorIdentity;
import io.blixard.security.SecurityProperties;
import java.util.HashSet;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Cluster roles read from this node's view: members are the registry's nodes and the Raft group's
 * peers; operators are the configured ids and, with {@code local-operator}, the local identity.
 */
@Component
public class ViewClusterRoles implements ClusterRoles {

  private final ClusterView view;
  private final Set<NodeId> operators = new HashSet<>();

  public ViewClusterRoles(ClusterView view, SecurityProperties properties) {
    this.view = view;
    properties.operators().forEach(id -> operators.add(NodeId.parse(id)));
    if (properties.secure() && properties.localOperator()) {
      operators.add(OperatorIdentity.loadOrCreate(properties.operatorDirectory()).nodeId());
    }
  }

  @Override
  public boolean isMember(NodeId id) {
    if (view.registry().stream().anyMatch(n -> n.nodeId().equals(id))) {
      return true;
    }
    return view.state()
        .map(s -> s.members().stream().anyMatch(m -> m.nodeId().equals(id)))
        .orElse(false);
  }

  @Override
  public boolean isOperator(NodeId id) {
    return operators.contains(id);
  }
}
