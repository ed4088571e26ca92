package io.blixard.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.cluster.AccessDeniedException;
import io.blixard.cluster.FakeClusterView;
import io.blixard.cluster.GuardWrites;
import io.blixard.cluster.RaftRole;
import io.blixard.cluster.StrategyHistory;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.StrategyChange;
import io.blixard.rpc.TransportFigures;
import io.blixard.rpc.TransportFigures.Counts;
import io.blixard.rpc.TransportFigures.Key;
import io.blixard.rpc.TransportFigures.Side;
import io.blixard.support.MutableClock;
import io.blixard.transport.Transport;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/** The canary guard's judgement and actions, on a fake cluster with a hand-moved clock. */
class CanaryGuardTest {

  private static final NodeId SELF = FakeClusterView.node(1);
  private static final NodeId PEER = FakeClusterView.node(2);
  private static final int FAST = 1; // the bucket up to 1 ms
  private static final int SLOW = 5; // the bucket up to 25 ms

  private final MutableClock clock = new MutableClock(Instant.parse("2026-03-01T10:00:00Z"));
  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final FakeClusterView view =
      new FakeClusterView(SELF)
          .registered(SELF)
          .registered(PEER)
          .raft(
              RaftRole.LEADER,
              3,
              Optional.of(SELF),
              FakeClusterView.voter(SELF, RaftRole.LEADER, FakeClusterView.justNow()),
              FakeClusterView.voter(PEER, RaftRole.FOLLOWER, FakeClusterView.justNow()));
  private final List<StrategyChange> versions = new ArrayList<>();
  private final StrategyHistory history =
      new StrategyHistory() {
        @Override
        public List<StrategyChange> versions() {
          return List.copyOf(versions);
        }

        @Override
        public void onNewVersion(Consumer<StrategyChange> listener) {}
      };
  private final Map<String, Map<Key, Counts>> totals = new HashMap<>();
  private final List<String> proposed = new ArrayList<>();
  private RuntimeException refusal;
  private final GuardWrites writes =
      (strategy, service, change, reason, baseVersion) -> {
        if (refusal != null) {
          throw refusal;
        }
        MigrationStrategy next = StrategyProtos.parse(strategy);
        proposed.add(
            service
                + " "
                + next.quicSharePercent(service)
                + "% from v"
                + baseVersion
                + ": "
                + reason);
        version(next);
      };
  private final CanaryGuard guard =
      new CanaryGuard(
          view,
          history,
          timeout ->
              totals.entrySet().stream()
                  .map(e -> new NodeFigures(e.getKey(), 7, e.getValue()))
                  .toList(),
          writes,
          clock,
          meters);

  private static MigrationStrategy.Guard guard(boolean promote) {
    return new MigrationStrategy.Guard(
        true,
        Duration.ofSeconds(30),
        Duration.ofSeconds(5),
        50,
        0.05,
        2.0,
        new MigrationStrategy.Promote(promote, 25, 2));
  }

  private void version(MigrationStrategy strategy) {
    versions.add(
        StrategyChange.newBuilder()
            .setVersion(versions.size() + 1)
            .setStrategy(StrategyProtos.toProto(strategy).toByteString())
            .build());
  }

  private void shares(MigrationStrategy.Guard settings, int... shares) {
    for (int share : shares) {
      version(MigrationStrategy.defaults().withGuard(settings).withQuicShare("health", share));
    }
  }

  private static Counts counts(long calls, long errors, int bucket) {
    long[] buckets = new long[TransportFigures.BUCKETS];
    buckets[bucket] = calls;
    return new Counts(calls, errors, buckets);
  }

  /** Adds calls to a node's running totals, as its servers would count them. */
  private void served(NodeId node, Transport transport, long calls, long errors, int bucket) {
    totals
        .computeIfAbsent(node.value(), n -> new HashMap<>())
        .merge(
            new Key(Side.SERVER, "health", transport),
            counts(calls, errors, bucket),
            FigureWindow::plus);
  }

  private void start() {
    served(SELF, Transport.GRPC, 0, 0, FAST);
    served(PEER, Transport.GRPC, 0, 0, FAST);
    guard.tick(); // the starting point
    clock.advance(Duration.ofSeconds(5));
  }

  private double rollbacks() {
    var counter = meters.find(CanaryGuard.ROLLBACKS).tag("service", "health").counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void quicFailingMoreSetsTheShareBackToBeforeItsLastRaise() {
    shares(guard(false), 0, 10, 50);
    start();
    served(SELF, Transport.QUIC, 60, 20, FAST);
    served(PEER, Transport.QUIC, 40, 11, FAST);
    served(SELF, Transport.GRPC, 50, 0, FAST);
    served(PEER, Transport.GRPC, 50, 1, FAST);

    guard.tick();

    assertThat(proposed)
        .containsExactly(
            "health 10% from v3: canary guard: quic error ratio 0.31 vs grpc 0.01 over 5s"
                + " (31/100 vs 1/100 calls on the servers, limit +0.05) for health");
    assertThat(rollbacks()).isEqualTo(1);
    assertThat(meters.get(CanaryGuard.VERDICT).tag("service", "health").gauge().value())
        .isEqualTo(2);
  }

  @Test
  void tooFewCallsOverOneTransportAreNoJudgement() {
    shares(guard(false), 50);
    start();
    served(SELF, Transport.QUIC, 200, 200, FAST);
    served(SELF, Transport.GRPC, 49, 0, FAST);

    guard.tick();

    assertThat(proposed).isEmpty();
    assertThat(meters.get(CanaryGuard.VERDICT).tag("service", "health").gauge().value()).isZero();
  }

  @Test
  void aSlowerQuicBeyondTheP99RatioIsWorseToo() {
    shares(guard(false), 50);
    start();
    served(SELF, Transport.QUIC, 100, 0, SLOW);
    served(PEER, Transport.GRPC, 100, 0, FAST);

    guard.tick();

    assertThat(proposed).hasSize(1);
    assertThat(proposed.get(0))
        .startsWith("health 0% from v1: canary guard: quic p99 24.9 ms vs grpc 1.0 ms over 5s");
  }

  @Test
  void callsThatLeftTheWindowNoLongerCount() {
    shares(guard(false), 50);
    start();
    served(SELF, Transport.QUIC, 40, 40, FAST); // failures, but too few calls to judge
    served(SELF, Transport.GRPC, 40, 0, FAST);
    guard.tick();
    clock.advance(Duration.ofSeconds(30));
    served(SELF, Transport.QUIC, 40, 0, FAST);
    served(SELF, Transport.GRPC, 40, 0, FAST);

    guard.tick();

    // 80 calls each since the start, but only the last 40 within the window: still no judgement.
    assertThat(proposed).isEmpty();
  }

  @Test
  void aMemberThatRestartedGivesAStartingPointNotItsTotals() {
    Map<Key, Counts> restarted =
        Map.of(
            new Key(Side.SERVER, "health", Transport.QUIC),
            counts(500, 500, FAST),
            new Key(Side.SERVER, "health", Transport.GRPC),
            counts(500, 0, FAST));
    FigureWindow window = new FigureWindow();
    Instant t0 = clock.instant();
    window.add(t0, List.of(new NodeFigures("a", 1, Map.of())), Duration.ofSeconds(30));
    window.add(
        t0.plusSeconds(5), List.of(new NodeFigures("a", 2, restarted)), Duration.ofSeconds(30));

    assertThat(window.since(t0.minusSeconds(30))).isEmpty();
  }

  @Test
  void bucketsOfEveryMemberAddUpBeforeTheQuantileIsRead() {
    FigureWindow window = new FigureWindow();
    Instant t0 = clock.instant();
    Key quic = new Key(Side.SERVER, "health", Transport.QUIC);
    window.add(
        t0,
        List.of(new NodeFigures("a", 1, Map.of()), new NodeFigures("b", 1, Map.of())),
        Duration.ofSeconds(30));
    window.add(
        t0.plusSeconds(5),
        List.of(
            new NodeFigures("a", 1, Map.of(quic, counts(98, 0, FAST))),
            new NodeFigures("b", 1, Map.of(quic, counts(2, 2, SLOW)))),
        Duration.ofSeconds(30));

    Counts merged = window.since(t0).get(quic);

    assertThat(merged.calls()).isEqualTo(100);
    assertThat(merged.errors()).isEqualTo(2);
    // Rank 99 of 100 is the first of the two slow calls: half-way into the 10-25 ms bucket.
    assertThat(CanaryVerdict.quantile(0.99, merged))
        .isCloseTo(0.0175, org.assertj.core.data.Offset.offset(1e-9));
    assertThat(CanaryVerdict.quantile(0.5, merged))
        .isCloseTo(0.0005 + 0.0005 * 50 / 98.0, org.assertj.core.data.Offset.offset(1e-9));
  }

  @Test
  void aHealthyCanaryIsLeftAloneWithoutPromotion() {
    shares(guard(false), 50);
    start();
    for (int i = 0; i < 20; i++) {
      served(SELF, Transport.QUIC, 100, 1, FAST);
      served(PEER, Transport.GRPC, 100, 1, FAST);
      guard.tick();
      clock.advance(Duration.ofSeconds(5));
    }

    assertThat(proposed).isEmpty();
    assertThat(meters.get(CanaryGuard.VERDICT).tag("service", "health").gauge().value())
        .isEqualTo(1);
  }

  @Test
  void withPromotionAHealthyCanaryIsRaisedByAStepAfterItsHealthyWindows() {
    shares(guard(true), 0, 50);
    start();
    for (int i = 0; i < 13; i++) {
      served(SELF, Transport.QUIC, 100, 0, FAST);
      served(PEER, Transport.GRPC, 100, 0, FAST);
      guard.tick();
      clock.advance(Duration.ofSeconds(5));
    }

    // Two whole windows of 30 s after the share was seen: one promotion, to 75 %.
    assertThat(proposed).hasSize(1);
    assertThat(proposed.get(0)).startsWith("health 75% from v2: canary guard: quic healthy");
    assertThat(meters.get(CanaryGuard.PROMOTIONS).tag("service", "health").counter().count())
        .isEqualTo(1);
  }

  @Test
  void onlyTheLeaderJudges() {
    shares(guard(false), 50);
    view.raft(
        RaftRole.FOLLOWER,
        3,
        Optional.of(PEER),
        FakeClusterView.voter(SELF, RaftRole.FOLLOWER, FakeClusterView.justNow()),
        FakeClusterView.voter(PEER, RaftRole.LEADER, FakeClusterView.justNow()));
    start();
    served(SELF, Transport.QUIC, 100, 100, FAST);
    served(SELF, Transport.GRPC, 100, 0, FAST);

    guard.tick();

    assertThat(proposed).isEmpty();
  }

  @Test
  void aGuardThatIsOffJudgesNothing() {
    shares(guard(false).withEnabled(false), 50);
    start();
    served(SELF, Transport.QUIC, 100, 100, FAST);
    served(SELF, Transport.GRPC, 100, 0, FAST);

    guard.tick();

    assertThat(proposed).isEmpty();
  }

  @Test
  void aRefusedRollbackIsNotCountedAndJudgedAgainOnFreshFigures() {
    shares(guard(false), 50);
    start();
    served(SELF, Transport.QUIC, 100, 100, FAST);
    served(SELF, Transport.GRPC, 100, 0, FAST);
    refusal = new AccessDeniedException("strategy_changed", "an operator was faster");

    guard.tick();
    clock.advance(Duration.ofSeconds(5));
    refusal = null;
    guard.tick();

    assertThat(rollbacks()).isZero();
    assertThat(proposed).isEmpty();
  }

  @Test
  void theLastGoodShareIsTheOneBeforeTheLastRaiseBelowTheCurrentShare() {
    shares(guard(false), 0, 10, 50, 10);
    assertThat(CanaryGuard.lastGoodShare(versions, "health", 10)).isZero();
    versions.clear();
    shares(guard(false), 0, 10, 50);
    assertThat(CanaryGuard.lastGoodShare(versions, "health", 50)).isEqualTo(10);
    versions.clear();
    shares(guard(false), 50);
    assertThat(CanaryGuard.lastGoodShare(versions, "health", 50)).isZero();
    versions.clear();
    shares(guard(false), 20, 60, 40);
    assertThat(CanaryGuard.lastGoodShare(versions, "health", 40)).isEqualTo(20);
  }

  @Test
  void theRegistryLetsAGuardChangeOneSharesOnly() {
    MigrationStrategy now =
        MigrationStrategy.defaults().withGuard(guard(false)).withQuicShare("health", 50);
    assertThat(GuardChanges.refusal(now, now.withQuicShare("health", 10), "health")).isEmpty();
    assertThat(GuardChanges.refusal(now, now.withQuicShare("health", 60), "health"))
        .get()
        .asString()
        .contains("promotion is off");
    assertThat(
            GuardChanges.refusal(
                now, now.withQuicShare("health", 0).withFallbackToGrpc(false), "health"))
        .get()
        .asString()
        .contains("more than health's quic-share");
    assertThat(
            GuardChanges.refusal(
                now.withGuard(guard(false).withEnabled(false)),
                now.withGuard(guard(false).withEnabled(false)).withQuicShare("health", 0),
                "health"))
        .get()
        .asString()
        .contains("guard is off");
    MigrationStrategy promoting = now.withGuard(guard(true));
    assertThat(GuardChanges.refusal(promoting, promoting.withQuicShare("health", 75), "health"))
        .isEmpty();
    assertThat(GuardChanges.refusal(promoting, promoting.withQuicShare("health", 100), "health"))
        .get()
        .asString()
        .contains("at most the promotion step of 25");
  }
}
