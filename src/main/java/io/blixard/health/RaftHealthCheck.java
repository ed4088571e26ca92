package io.blixard.health;

import io.blixard.cluster.RaftNode;
import io.blixard.cluster.RaftState;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/** UP when this node is in a Raft group with a known leader; reports its role and term. */
@Component
@Order(1)
public class RaftHealthCheck implements NodeHealthCheck {

  private final RaftNode raft;

  public RaftHealthCheck(RaftNode raft) {
    this.raft = raft;
  }

  @Override
  public String name() {
    return "raft";
  }

  @Override
  public CheckResult check() {
    Optional<RaftState> current = raft.state();
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
    if (state.leaderId().isEmpty()) {
      return new CheckResult(
          name(),
          HealthStatus.DOWN,
          "no leader known in term " + state.term() + " (this node is " + state.role() + ")",
          attributes);
    }
    String detail =
        state.isLeader()
            ? "leader of a group of " + state.members().size()
            : state.role() + ", leader is " + state.leaderId().get().shortForm();
    return new CheckResult(name(), HealthStatus.UP, detail + ", term " + state.term(), attributes);
  }
}
