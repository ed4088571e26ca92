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

/** The peers check over a fake cluster view: reachable peers out of known peers. */
class PeersHealthCheckTest {

  private static final NodeId SELF = node(1);
  private static final NodeId B = node(2);
  private static final NodeId C = node(3);

  private final FakeClusterView view = new FakeClusterView(SELF);
  private final PeersHealthCheck check = new PeersHealthCheck(view);

  private void leaderOf(
      Optional<java.time.Instant> bContact, Optional<java.time.Instant> cContact) {
    view.raft(
        RaftRole.LEADER,
        2,
        Optional.of(SELF),
        voter(SELF, RaftRole.LEADER, justNow()),
        voter(B, RaftRole.FOLLOWER, bContact),
        voter(C, RaftRole.FOLLOWER, cContact));
  }

  @Test
  void shouldBeDownWhenRaftIsNotRunning() {
    assertThat(check.check().status()).isEqualTo(HealthStatus.DOWN);
  }

  @Test
  void shouldBeUpForASingleNode() {
    view.raft(RaftRole.LEADER, 1, Optional.of(SELF), voter(SELF, RaftRole.LEADER, justNow()))
        .registered(SELF);

    CheckResult result = check.check();

    assertThat(result.status()).isEqualTo(HealthStatus.UP);
    assertThat(result.detail()).isEqualTo("single node, no peers");
  }

  @Test
  void shouldBeUpWhenEveryPeerIsReachableByRaftOrByProbe() {
    leaderOf(justNow(), longAgo());
    view.probed(C, true, justNow());

    CheckResult result = check.check();

    assertThat(result.status()).isEqualTo(HealthStatus.UP);
    assertThat(result.detail()).isEqualTo("2 of 2 peers reachable within PT1M");
    assertThat(result.attributes())
        .containsEntry("peer." + B.shortForm(), "reachable, not probed yet")
        .hasEntrySatisfying(
            "peer." + C.shortForm(), v -> assertThat(v).startsWith("reachable, rtt 2.00 ms"));
  }

  @Test
  void shouldBeDegradedWhenSomePeersAreUnreachableAndCountRegistryOnlyNodes() {
    leaderOf(justNow(), longAgo());
    NodeId left = node(4);
    view.registered(left).probed(C, false, longAgo());

    CheckResult result = check.check();

    assertThat(result.status()).isEqualTo(HealthStatus.DEGRADED);
    assertThat(result.attributes()).containsEntry("known", "3").containsEntry("reachable", "1");
    assertThat(result.attributes().get("peer." + C.shortForm()))
        .startsWith("unreachable")
        .contains("last probe: UNAVAILABLE: connection refused");
    assertThat(result.attributes())
        .containsEntry("peer." + left.shortForm(), "unreachable, not probed yet");
  }

  @Test
  void shouldBeDownWhenNoPeerIsReachable() {
    leaderOf(longAgo(), Optional.empty());

    CheckResult result = check.check();

    assertThat(result.status()).isEqualTo(HealthStatus.DOWN);
    assertThat(result.detail()).startsWith("0 of 2 peers reachable");
  }
}
