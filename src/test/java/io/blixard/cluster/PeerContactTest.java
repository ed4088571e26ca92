package io.blixard.cluster;

import static io.blixard.cluster.FakeClusterView.justNow;
import static io.blixard.cluster.FakeClusterView.longAgo;
import static io.blixard.cluster.FakeClusterView.node;
import static io.blixard.cluster.FakeClusterView.voter;
import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.node.NodeId;
import java.time.Instant;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The one rule for "reachable within the peer timeout". */
class PeerContactTest {

  private static final NodeId SELF = node(1);
  private static final NodeId PEER = node(2);

  private static PeerContact contact(FakeClusterView view, NodeId node) {
    return view.contact(view.requireState(), node, Instant.now());
  }

  @Test
  void thisNodeReachesItself() {
    FakeClusterView view =
        new FakeClusterView(SELF)
            .raft(RaftRole.LEADER, 2, Optional.of(SELF), voter(SELF, RaftRole.LEADER, justNow()));

    PeerContact self = contact(view, SELF);

    assertThat(self.reachable()).isTrue();
    assertThat(self.probe()).isEmpty();
  }

  @Test
  void aPeerIsReachableWhenRaftHeardFromItWithinTheTimeout() {
    FakeClusterView view =
        new FakeClusterView(SELF)
            .raft(
                RaftRole.LEADER,
                2,
                Optional.of(SELF),
                voter(SELF, RaftRole.LEADER, justNow()),
                voter(PEER, RaftRole.FOLLOWER, justNow()))
            .probed(PEER, false, Optional.empty());

    assertThat(contact(view, PEER).reachable()).isTrue();
  }

  @Test
  void aPeerIsReachableWhenItsLastProbeWasAnsweredWithinTheTimeout() {
    FakeClusterView view =
        new FakeClusterView(SELF)
            .raft(
                RaftRole.FOLLOWER,
                2,
                Optional.of(node(3)),
                voter(SELF, RaftRole.FOLLOWER, justNow()),
                voter(PEER, RaftRole.UNKNOWN, Optional.empty()))
            .probed(PEER, true, justNow());

    PeerContact peer = contact(view, PEER);

    assertThat(peer.reachable()).isTrue();
    assertThat(peer.lastContact()).isPresent();
    assertThat(peer.probe()).isPresent();
  }

  @Test
  void aPeerHeardFromOnlyLongAgoIsUnreachableAndItsLatestContactIsKept() {
    Optional<Instant> raftContact = longAgo();
    Optional<Instant> probeContact = Optional.of(raftContact.get().plusSeconds(60));
    FakeClusterView view =
        new FakeClusterView(SELF)
            .raft(
                RaftRole.LEADER,
                2,
                Optional.of(SELF),
                voter(SELF, RaftRole.LEADER, justNow()),
                voter(PEER, RaftRole.FOLLOWER, raftContact))
            .probed(PEER, false, probeContact);

    PeerContact peer = contact(view, PEER);

    assertThat(peer.reachable()).isFalse();
    assertThat(peer.lastContact()).isEqualTo(probeContact);
  }

  @Test
  void aRegisteredNodeOutsideTheGroupIsJudgedByItsProbeAlone() {
    FakeClusterView view =
        new FakeClusterView(SELF)
            .raft(RaftRole.LEADER, 2, Optional.of(SELF), voter(SELF, RaftRole.LEADER, justNow()))
            .registered(PEER);

    assertThat(contact(view, PEER).reachable()).isFalse();
    assertThat(contact(view, PEER).lastContact()).isEmpty();

    view.probed(PEER, true, justNow());
    assertThat(contact(view, PEER).reachable()).isTrue();
  }
}
