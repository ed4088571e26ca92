package io.blixard.status;

import static io.blixard.cluster.FakeClusterView.justNow;
import static io.blixard.cluster.FakeClusterView.longAgo;
import static io.blixard.cluster.FakeClusterView.node;
import static io.blixard.cluster.FakeClusterView.voter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.cluster.ClusterUnavailableException;
import io.blixard.cluster.FakeClusterView;
import io.blixard.cluster.RaftRole;
import io.blixard.node.NodeId;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The status table over a fake cluster view: Raft members and registry joined by node id. */
class DefaultStatusServiceTest {

  private static final NodeId SELF = node(1);
  private static final NodeId FOLLOWER = node(2);
  private static final NodeId SILENT = node(3);
  private static final NodeId LEFT = node(4);

  private final FakeClusterView view = new FakeClusterView(SELF);
  private final StatusService status = new DefaultStatusService(view);

  @Test
  void raftNotRunningIsUnavailable() {
    assertThatThrownBy(status::clusterStatus)
        .isInstanceOf(ClusterUnavailableException.class)
        .hasMessageContaining("Raft is not running");
    assertThatThrownBy(status::raftStatus).isInstanceOf(ClusterUnavailableException.class);
  }

  @Test
  void everyMemberAndRegisteredNodeIsOneRowOrderedByNodeId() {
    view.raft(
            RaftRole.LEADER,
            9,
            Optional.of(SELF),
            voter(SELF, RaftRole.LEADER, justNow()),
            voter(FOLLOWER, RaftRole.FOLLOWER, justNow()),
            voter(SILENT, RaftRole.FOLLOWER, longAgo()))
        .registered(SELF)
        .registered(FOLLOWER)
        .registered(LEFT)
        .probed(SILENT, false, longAgo())
        .probed(LEFT, true, justNow());

    ClusterStatus cluster = status.clusterStatus();

    assertThat(cluster.leaderId()).contains(SELF);
    assertThat(cluster.reportedBy()).isEqualTo(SELF);
    assertThat(cluster.term()).isEqualTo(9);
    assertThat(cluster.sinceLeaderContact()).contains(Duration.ZERO);
    assertThat(cluster.nodes())
        .extracting(ClusterStatus.ClusterMember::nodeId)
        .containsExactlyElementsOf(
            List.of(SELF, FOLLOWER, SILENT, LEFT).stream()
                .sorted(Comparator.comparing(NodeId::value))
                .toList());

    ClusterStatus.ClusterMember self = row(cluster, SELF);
    assertThat(self.role()).isEqualTo(RaftRole.LEADER);
    assertThat(self.reachable()).isTrue();
    assertThat(self.probe()).isEmpty();
    assertThat(self.grpcAddress()).isEqualTo(SELF.shortForm() + ":7001");

    ClusterStatus.ClusterMember follower = row(cluster, FOLLOWER);
    assertThat(follower.voter()).isTrue();
    assertThat(follower.reachable()).isTrue();
    assertThat(follower.joinedAt()).isPresent();

    ClusterStatus.ClusterMember silent = row(cluster, SILENT);
    assertThat(silent.reachable()).isFalse();
    assertThat(silent.grpcAddress()).as("not registered yet").isEmpty();
    assertThat(silent.joinedAt()).isEmpty();
    assertThat(silent.probe()).hasValueSatisfying(p -> assertThat(p.error()).isPresent());

    ClusterStatus.ClusterMember left = row(cluster, LEFT);
    assertThat(left.role()).isEqualTo(RaftRole.UNKNOWN);
    assertThat(left.voter()).isFalse();
    assertThat(left.reachable()).as("answered its probe").isTrue();
    assertThat(left.quicAddress()).isEqualTo(LEFT.shortForm() + ":7002");
  }

  @Test
  void aFollowerReportsHowLongAgoItHeardFromTheLeader() {
    view.raft(
        RaftRole.FOLLOWER,
        3,
        Optional.of(FOLLOWER),
        voter(SELF, RaftRole.FOLLOWER, justNow()),
        voter(FOLLOWER, RaftRole.LEADER, longAgo()));

    ClusterStatus cluster = status.clusterStatus();

    assertThat(cluster.sinceLeaderContact())
        .hasValueSatisfying(d -> assertThat(d).isGreaterThanOrEqualTo(Duration.ofMinutes(59)));
    assertThat(row(cluster, FOLLOWER).reachable()).isFalse();
    assertThat(status.raftStatus().role()).isEqualTo(RaftRole.FOLLOWER);
  }

  private static ClusterStatus.ClusterMember row(ClusterStatus cluster, NodeId id) {
    return cluster.nodes().stream().filter(n -> n.nodeId().equals(id)).findFirst().orElseThrow();
  }
}
