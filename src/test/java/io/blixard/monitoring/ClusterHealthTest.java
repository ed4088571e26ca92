package io.blixard.monitoring;

import static io.blixard.cluster.FakeClusterView.justNow;
import static io.blixard.cluster.FakeClusterView.longAgo;
import static io.blixard.cluster.FakeClusterView.node;
import static io.blixard.cluster.FakeClusterView.voter;
import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.cluster.FakeClusterView;
import io.blixard.cluster.RaftRole;
import io.blixard.cluster.RaftState;
import io.blixard.node.DataDirectory;
import io.blixard.node.NodeId;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/**
 * The cluster health summary over a fake cluster view: the failure tolerance is what is left now,
 * and zero while quorum is lost.
 */
class ClusterHealthTest {

  private static final NodeId SELF = node(1);

  @TempDir Path dataDir;

  private FakeClusterView view;
  private MonitoringService monitoring;

  @BeforeEach
  void create() {
    view = new FakeClusterView(SELF);
    monitoring =
        new DefaultMonitoringService(
            new StaticListableBeanFactory().getBeanProvider(PrometheusMeterRegistry.class),
            view,
            DataDirectory.open(dataDir));
  }

  /** This node leads {@code voters} voters; the first {@code reachable} of them (itself) answer. */
  private void leaderOf(int voters, int reachable) {
    List<RaftState.Member> members = new ArrayList<>();
    members.add(voter(SELF, RaftRole.LEADER, justNow()));
    for (int i = 2; i <= voters; i++) {
      Optional<Instant> contact = i <= reachable ? justNow() : longAgo();
      members.add(voter(node(i), RaftRole.FOLLOWER, contact));
    }
    view.raft(RaftRole.LEADER, 6, Optional.of(SELF), members.toArray(RaftState.Member[]::new));
  }

  @Test
  void aHealthyGroupToleratesTheFailureOfAMinority() {
    leaderOf(3, 3);

    ClusterHealthSummary health = monitoring.clusterHealth();

    assertThat(health.voters()).isEqualTo(3);
    assertThat(health.nodesHealthy()).isEqualTo(3);
    assertThat(health.failureTolerance()).isEqualTo(1);
    assertThat(health.quorumProblem()).isEmpty();
    assertThat(health.leaderPresent()).isTrue();
  }

  @Test
  void aVoterAlreadyDownIsTakenFromTheTolerance() {
    leaderOf(3, 2);
    assertThat(monitoring.clusterHealth().failureTolerance()).isZero();

    leaderOf(5, 4);
    assertThat(monitoring.clusterHealth().failureTolerance()).isEqualTo(1);

    leaderOf(5, 5);
    assertThat(monitoring.clusterHealth().failureTolerance()).isEqualTo(2);
  }

  @Test
  void lostQuorumReportsNoToleranceAndWhy() {
    leaderOf(3, 1);

    ClusterHealthSummary health = monitoring.clusterHealth();

    assertThat(health.failureTolerance()).isZero();
    assertThat(health.nodesHealthy()).isEqualTo(1);
    assertThat(health.quorumProblem())
        .hasValueSatisfying(p -> assertThat(p).contains("lost quorum: heard from 1 of 3 voters"));
  }

  @Test
  void noLeaderReportsNoToleranceAndWhy() {
    view.raft(
        RaftRole.CANDIDATE,
        8,
        Optional.empty(),
        voter(SELF, RaftRole.CANDIDATE, justNow()),
        voter(node(2), RaftRole.UNKNOWN, justNow()),
        voter(node(3), RaftRole.UNKNOWN, justNow()));

    ClusterHealthSummary health = monitoring.clusterHealth();

    assertThat(health.leaderPresent()).isFalse();
    assertThat(health.failureTolerance()).isZero();
    assertThat(health.quorumProblem())
        .hasValueSatisfying(p -> assertThat(p).contains("no leader known in term 8"));
  }

  @Test
  void aFollowerCountsVotersItReachesThroughProbes() {
    NodeId leader = node(2);
    NodeId other = node(3);
    view.raft(
            RaftRole.FOLLOWER,
            6,
            Optional.of(leader),
            voter(SELF, RaftRole.FOLLOWER, justNow()),
            voter(leader, RaftRole.LEADER, justNow()),
            voter(other, RaftRole.UNKNOWN, Optional.empty()))
        .registered(SELF)
        .registered(leader)
        .registered(other)
        .registered(node(4));
    assertThat(monitoring.clusterHealth().failureTolerance()).as("other not probed").isZero();

    view.probed(other, true, justNow());
    ClusterHealthSummary health = monitoring.clusterHealth();
    assertThat(health.failureTolerance()).isEqualTo(1);
    assertThat(health.nodesTotal()).as("the registry's node outside the group counts").isEqualTo(4);
    assertThat(health.nodesHealthy()).isEqualTo(3);
  }
}
