package io.blixard.health;

import static io.blixard.cluster.FakeClusterView.justNow;
import static io.blixard.cluster.FakeClusterView.longAgo;
import static io.blixard.cluster.FakeClusterView.node;
import static io.blixard.cluster.FakeClusterView.voter;
import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.cluster.FakeClusterView;
import io.blixard.cluster.RaftRole;
import io.blixard.node.NodeId;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.boot.availability.ApplicationAvailabilityBean;
import org.springframework.boot.availability.AvailabilityChangeEvent;
import org.springframework.boot.availability.ReadinessState;

/** Readiness: the application accepts traffic and this node is in touch with a quorum. */
class NodeReadinessTest {

  private static final NodeId SELF = node(1);
  private static final NodeId LEADER = node(2);

  private final ApplicationAvailabilityBean availability = new ApplicationAvailabilityBean();
  private final FakeClusterView view = new FakeClusterView(SELF);
  private final NodeReadiness readiness = new NodeReadiness(availability, view);

  private void follower(Optional<java.time.Instant> leaderContact) {
    view.raft(
        RaftRole.FOLLOWER,
        5,
        Optional.of(LEADER),
        voter(SELF, RaftRole.FOLLOWER, justNow()),
        voter(LEADER, RaftRole.LEADER, leaderContact));
  }

  private void acceptTraffic() {
    availability.onApplicationEvent(
        new AvailabilityChangeEvent<>(this, ReadinessState.ACCEPTING_TRAFFIC));
  }

  @Test
  void readyWhenAcceptingTrafficInTouchWithTheLeader() {
    follower(justNow());
    acceptTraffic();

    assertThat(readiness.isReady()).isTrue();
  }

  @Test
  void notReadyBeforeTheApplicationAcceptsTraffic() {
    follower(justNow());

    assertThat(readiness.isReady()).isFalse();
  }

  @Test
  void notReadyWithoutRaftOrOutOfTouchWithTheLeader() {
    acceptTraffic();
    assertThat(readiness.isReady()).as("Raft not running").isFalse();

    follower(longAgo());
    assertThat(readiness.isReady()).as("leader silent").isFalse();
  }
}
