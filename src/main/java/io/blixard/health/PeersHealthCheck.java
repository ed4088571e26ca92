package io.blixard.health;

import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.RaftNode;
import io.blixard.cluster.RaftState;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Reachable peers out of known peers: a peer is reachable when Raft heard from it within {@code
 * blixard.cluster.peer-timeout}. A single node has no peers and is UP; some unreachable is
 * DEGRADED, none reachable is DOWN.
 */
@Component
@Order(3)
public class PeersHealthCheck implements NodeHealthCheck {

  private final RaftNode raft;
  private final Duration timeout;

  public PeersHealthCheck(RaftNode raft, ClusterProperties properties) {
    this.raft = raft;
    this.timeout = properties.peerTimeout();
  }

  @Override
  public String name() {
    return "peers";
  }

  @Override
  public CheckResult check() {
    Optional<RaftState> current = raft.state();
    if (current.isEmpty()) {
      return new CheckResult(name(), HealthStatus.DOWN, "Raft is not running", Map.of());
    }
    RaftState state = current.get();
    Instant now = Instant.now();
    List<RaftState.Member> peers =
        state.members().stream().filter(m -> !m.nodeId().equals(state.nodeId())).toList();
    // Only the leader hears from every member; a follower knows only when it heard from the leader.
    List<RaftState.Member> known = peers.stream().filter(m -> m.lastContact().isPresent()).toList();
    long reachable = known.stream().filter(m -> m.reachable(now, timeout)).count();
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("known", Integer.toString(peers.size()));
    attributes.put("reachable", Long.toString(reachable));
    attributes.put("contact_unknown", Integer.toString(peers.size() - known.size()));
    attributes.put("timeout", timeout.toString());
    if (peers.isEmpty()) {
      return new CheckResult(name(), HealthStatus.UP, "single node, no peers", attributes);
    }
    String detail =
        reachable
            + " of "
            + known.size()
            + " peers with known contact reachable within "
            + timeout
            + " ("
            + peers.size()
            + " peers in all)";
    HealthStatus status =
        known.isEmpty() || reachable == known.size()
            ? HealthStatus.UP
            : reachable == 0 ? HealthStatus.DOWN : HealthStatus.DEGRADED;
    return new CheckResult(name(), status, detail, attributes);
  }
}
