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

/** The Raft check over a fake cluster view: UP only in touch with a quorum. */
class RaftHealthCheckTest {

  private static final NodeId SELF = node(1);
  private static final NodeId B = node(2);
  private static final NodeId C = node(3);

  private final FakeClusterView view = new FakeClusterView(SELF);
  private final RaftHealthCheck check = new RaftHealthCheck(view);

  @Test
  void shouldBeDownWhenRaftIsNotRunning() {
    CheckResult result = check.check();

    assertThat(result.status()).isEqualTo(HealthStatus.DOWN);
    assertThat(result.detail()).isEqualTo("Raft is not running");
  }

  @Test
  void shouldBeDownWhenNoLeaderIsKnown() {
    view.raft(
        RaftRole.CANDIDATE,
        7,
        Optional.empty(),
        voter(SELF, RaftRole.CANDIDATE, justNow()),
        voter(B, RaftRole.UNKNOWN, Optional.empty()));

    CheckResult result = check.check();

    assertThat(result.status()).isEqualTo(HealthStatus.DOWN);
    assertThat(result.detail()).contains("no leader known in term 7").contains("CANDIDATE");
    assertThat(result.attributes())
        .containsEntry("role", "CANDIDATE")
        .containsEntry("term", "7")
        .doesNotContainKey("leader");
  }

  @Test
  void shouldBeUpOnALeaderThatHearsFromAMajority() {
    view.raft(
        RaftRole.LEADER,
        3,
        Optional.of(SELF),
        voter(SELF, RaftRole.LEADER, justNow()),
        voter(B, RaftRole.FOLLOWER, justNow()),
        voter(C, RaftRole.FOLLOWER, longAgo()));

    CheckResult result = check.check();

    assertThat(result.status()).isEqualTo(HealthStatus.UP);
    assertThat(result.detail()).isEqualTo("leader of a group of 3, term 3");
    assertThat(result.attributes())
        .containsEntry("leader", SELF.value())
        .containsEntry("members", "3");
  }

  @Test
  void shouldBeDownOnALeaderThatLostItsQuorum() {
    view.raft(
        RaftRole.LEADER,
        3,
        Optional.of(SELF),
        voter(SELF, RaftRole.LEADER, justNow()),
        voter(B, RaftRole.FOLLOWER, longAgo()),
        voter(C, RaftRole.FOLLOWER, Optional.empty()));

    CheckResult result = check.check();

    assertThat(result.status()).isEqualTo(HealthStatus.DOWN);
    assertThat(result.detail()).contains("lost quorum: heard from 1 of 3 voters");
  }

  @Test
  void shouldBeUpOnAFollowerInTouchWithItsLeaderAndDownWhenItIsNot() {
    view.raft(
        RaftRole.FOLLOWER,
        4,
        Optional.of(B),
        voter(SELF, RaftRole.FOLLOWER, justNow()),
        voter(B, RaftRole.LEADER, justNow()));
    assertThat(check.check().status()).isEqualTo(HealthStatus.UP);
    assertThat(check.check().detail())
        .isEqualTo("FOLLOWER, leader is " + B.shortForm() + ", term 4");

    view.raft(
        RaftRole.FOLLOWER,
        4,
        Optional.of(B),
        voter(SELF, RaftRole.FOLLOWER, justNow()),
        voter(B, RaftRole.LEADER, longAgo()));
    CheckResult stale = check.check();
    assertThat(stale.status()).isEqualTo(HealthStatus.DOWN);
    assertThat(stale.detail()).contains("no contact with leader " + B.shortForm());
  }
}
