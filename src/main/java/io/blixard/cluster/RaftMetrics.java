package io.blixard.cluster;

import io.blixard.node.NodeId;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MultiGauge;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import org.springframework.scheduling.annotation.Scheduled;
import org.springframework.stereotype.Component;

/**
 * Raft readings as metrics: {@code blixard.raft.term}, {@code .commit.index}, {@code
 * .applied.index}, {@code .last.log.index}, {@code .leader.changes}, {@code .leader.present},
 * {@code blixard.raft.role{role}} (1 for this node's current role, 0 for the others) and, on the
 * leader only, {@code blixard.raft.follower.lag{follower}}.
 */
@Component
public class RaftMetrics implements MeterBinder {

  static final String FOLLOWER_LAG = "blixard.raft.follower.lag";

  private final ClusterView view;
  private volatile MultiGauge followerLag;

  public RaftMetrics(ClusterView view) {
    this.view = view;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    gauge(registry, "blixard.raft.term", "Current Raft term", RaftState::term);
    gauge(
        registry,
        "blixard.raft.commit.index",
        "Highest log index known to be committed",
        RaftState::commitIndex);
    gauge(
        registry,
        "blixard.raft.applied.index",
        "Highest log index applied to the registry",
        RaftState::appliedIndex);
    gauge(
        registry,
        "blixard.raft.last.log.index",
        "Index of the last entry in this node's log",
        RaftState::lastLogIndex);
    gauge(
        registry,
        "blixard.raft.leader.present",
        "1 when this node knows a leader, else 0",
        s -> s.leaderId().isPresent() ? 1 : 0);
    gauge(registry, "blixard.raft.members", "Members of the Raft group", s -> s.members().size());
    FunctionCounter.builder("blixard.raft.leader.changes", view, ClusterView::leaderChanges)
        .description("Leader changes this node has seen since it started")
        .register(registry);
    for (RaftRole role : RaftRole.values()) {
      gauge(
          registry,
          "blixard.raft.role",
          "1 for this node's current Raft role, 0 for the others",
          s -> s.role() == role ? 1 : 0,
          role.name().toLowerCase(Locale.ROOT));
    }
    followerLag =
        MultiGauge.builder(FOLLOWER_LAG)
            .description(
                "On the leader, log entries each follower is behind the leader's last index")
            .baseUnit("entries")
            .register(registry);
    refreshFollowers();
  }

  /**
   * Keeps one {@value #FOLLOWER_LAG} series per follower the leader replicates to, read at each
   * scrape; a node that is not the leader (or has no Raft) has none, so that the cluster's worst
   * lag is the maximum over every node without a stale reading from a former leader.
   */
  @Scheduled(fixedDelay = 1000)
  public void refreshFollowers() {
    MultiGauge gauge = followerLag;
    if (gauge == null) {
      return;
    }
    List<NodeId> followers =
        view.state()
            .filter(RaftState::isLeader)
            .map(s -> s.followers().stream().map(RaftState.FollowerProgress::nodeId).toList())
            .orElse(List.of());
    gauge.register(
        followers.stream()
            .map(
                id ->
                    MultiGauge.Row.of(
                        Tags.of("follower", id.value()), view, v -> lag(v, id).orElse(Double.NaN)))
            .toList(),
        false);
  }

  private static Optional<Double> lag(ClusterView view, NodeId follower) {
    return view.state()
        .filter(RaftState::isLeader)
        .flatMap(s -> s.followers().stream().filter(f -> f.nodeId().equals(follower)).findFirst())
        .map(f -> (double) f.lag());
  }

  private void gauge(
      MeterRegistry registry, String name, String description, ToDoubleFunction<RaftState> f) {
    gauge(registry, name, description, f, null);
  }

  private void gauge(
      MeterRegistry registry,
      String name,
      String description,
      ToDoubleFunction<RaftState> f,
      String role) {
    Gauge.Builder<ClusterView> builder =
        Gauge.builder(name, view, v -> v.state().map(f::applyAsDouble).orElse(Double.NaN))
            .description(description);
    if (role != null) {
      builder.tag("role", role);
    }
    builder.register(registry);
  }
}
