package io.blixard.health;

import io.blixard.cluster.ClusterView;
import io.blixard.cluster.RaftState;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * UP when this node is in touch with a quorum of its Raft group: a follower heard from the leader,
 * a leader from a majority of voters, within {@code blixard.cluster.peer-timeout}. Reports role and
 * term. Part of the readiness group: a node that lost its quorum takes no traffic.
 */
@Component
@Order(1)
public class RaftHealthCheck implements NodeHealthCheck {

  private final ClusterView view;

  public RaftHealthCheck(ClusterView view) {
    this.view = view;
  }

  @Override
  public String name() {
    return "raft";
  }

  @Override
  public CheckResult check() {
    Optional<RaftState> current = view.state();
    if (current.isEmpty()) {
      return new CheckResult(name(), HealthStatus.DOWN, "Raft is not running", Map.of());
    }
    RaftState state = current.get();
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("role", state.role().name());
    attributes.put("term", Long.toString(state.term()));
    attributes.put("group", state.groupId());
    attributes.put("members", Integer.toString(state.members().size()));
    state.leaderId().ifPresent(l -> attributes.put("leader", l.value()));
    Optional<String> problem = state.quorumProblem(Instant.now(), view.peerTimeout());
    if (problem.isPresent()) {
      return new CheckResult(name(), HealthStatus.DOWN, problem.get(), attributes);
    }
    String detail =
        state.isLeader()
            ? "leader of a group of " + state.members().size()
            : state.role() + ", leader is " + state.leaderId().get().shortForm();
    return new CheckResult(name(), HealthStatus.UP, detail + ", term " + state.term(), attributes);
  }
}
