package io.blixard.cluster.registry;

import io.blixard.cluster.ClusterView;
import io.blixard.cluster.RaftState;
import io.blixard.node.NodeId;
import io.blixard.security.ClusterRoles;
import java.util.Objects;
import org.springframework.stereotype.Component;

/**
 * {@link ClusterRoles} as the replicated registry says: a member is a node in the registry or in
 * the Raft configuration this node sees; operators and admissions are the registry's lists.
 */
@Component
public class RegistryClusterRoles implements ClusterRoles {

  private final NodeRegistry registry;
  private final ClusterView view;

  public RegistryClusterRoles(NodeRegistry registry, ClusterView view) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.view = Objects.requireNonNull(view, "view");
  }

  @Override
  public boolean isMember(NodeId id) {
    return registry.isRegistered(id)
        || view.state().map(RaftState::members).stream()
            .flatMap(java.util.List::stream)
            .anyMatch(m -> m.nodeId().equals(id));
  }

  @Override
  public boolean isOperator(NodeId id) {
    return registry.isOperator(id);
  }

  @Override
  public boolean isAdmitted(NodeId id) {
    return registry.isAdmitted(id);
  }
}
