package io.blixard.cluster;

import static io.blixard.cluster.FakeClusterView.justNow;
import static io.blixard.cluster.FakeClusterView.node;
import static io.blixard.cluster.FakeClusterView.voter;
import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Raft metrics read from a fake cluster view. */
class RaftMetricsTest {

  private final FakeClusterView view = new FakeClusterView(node(1));
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private final RaftMetrics metrics = new RaftMetrics(view);

  {
    metrics.bindTo(registry);
  }

  private double gauge(String name) {
    return registry.get(name).gauge().value();
  }

  @Test
  void readingsAreNotANumberWhileRaftIsNotRunning() {
    assertThat(gauge("blixard.raft.term")).isNaN();
    assertThat(registry.get("blixard.raft.role").tag("role", "leader").gauge().value()).isNaN();
  }

  @Test
  void readingsFollowTheView() {
    view.raft(
            RaftRole.LEADER,
            12,
            Optional.of(node(1)),
            voter(node(1), RaftRole.LEADER, justNow()),
            voter(node(2), RaftRole.FOLLOWER, justNow()))
        .leaderChanges(3);

    assertThat(gauge("blixard.raft.term")).isEqualTo(12);
    assertThat(gauge("blixard.raft.commit.index")).isEqualTo(40);
    assertThat(gauge("blixard.raft.applied.index")).isEqualTo(39);
    assertThat(gauge("blixard.raft.last.log.index")).isEqualTo(41);
    assertThat(gauge("blixard.raft.leader.present")).isEqualTo(1);
    assertThat(gauge("blixard.raft.members")).isEqualTo(2);
    assertThat(registry.get("blixard.raft.leader.changes").functionCounter().count()).isEqualTo(3);
    assertThat(registry.get("blixard.raft.role").tag("role", "leader").gauge().value())
        .isEqualTo(1);
    assertThat(registry.get("blixard.raft.role").tag("role", "follower").gauge().value()).isZero();
  }

  @Test
  void theLeaderReportsEachFollowersLagAndOtherNodesNone() {
    view.lagging(node(2), 0)
        .lagging(node(3), 7)
        .raft(
            RaftRole.LEADER,
            2,
            Optional.of(node(1)),
            voter(node(1), RaftRole.LEADER, justNow()),
            voter(node(2), RaftRole.FOLLOWER, justNow()),
            voter(node(3), RaftRole.FOLLOWER, justNow()));
    metrics.refreshFollowers();

    assertThat(lag(node(2))).isZero();
    assertThat(lag(node(3))).isEqualTo(7);

    view.raft(
        RaftRole.FOLLOWER,
        3,
        Optional.of(node(2)),
        voter(node(1), RaftRole.FOLLOWER, justNow()),
        voter(node(2), RaftRole.LEADER, justNow()));
    assertThat(lag(node(3))).as("read at each scrape").isNaN();
    metrics.refreshFollowers();

    assertThat(registry.find("blixard.raft.follower.lag").gauges()).isEmpty();
  }

  private double lag(io.blixard.node.NodeId follower) {
    return registry
        .get("blixard.raft.follower.lag")
        .tag("follower", follower.value())
        .gauge()
        .value();
  }
}
