package io.blixard.migration;

import io.blixard.cluster.AccessDeniedException;
import io.blixard.cluster.ClusterUnavailableException;
import io.blixard.cluster.ClusterView;
import io.blixard.cluster.GuardWrites;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.StrategyHistory;
import io.blixard.proto.cluster.v1.StrategyChange;
import io.blixard.rpc.ServiceNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The automatic canary guard. On the leader only, every {@code guard.interval} of the cluster's
 * strategy, it collects every member's transport figures, keeps the last {@code guard.window} of
 * them, and judges each service whose QUIC share is between 0 and 100 % ({@link CanaryVerdict}).
 * When QUIC is worse it sets the share back to its last good value (the share before its last raise
 * in the history, or 0) through Raft, as this node, from the version it judged, with the verdict as
 * the reason; with promotion on, it raises the share by a step after healthy windows in a row. It
 * never changes the Raft transport, and an operator's change made meanwhile wins: the guard's is
 * then refused and judged again on fresh figures.
 */
public class CanaryGuard implements SmartLifecycle {

  private static final Logger log = LoggerFactory.getLogger(CanaryGuard.class);

  static final String ROLLBACKS = "blixard.transport.strategy.guard.rollbacks";
  static final String PROMOTIONS = "blixard.transport.strategy.guard.promotions";
  static final String VERDICT = "blixard.transport.strategy.guard.verdict";

  /** Per canaried service: since when its figures count, and its healthy windows in a row. */
  private static final class Watch {
    final int share;
    final Instant since;
    Instant lastCounted;
    int healthyWindows;

    Watch(int share, Instant since) {
      this.share = share;
      this.since = since;
      this.lastCounted = since;
    }
  }

  private final ClusterView view;
  private final StrategyHistory history;
  private final MemberFigures figures;
  private final GuardWrites writes;
  private final Clock clock;
  private final MeterRegistry meters;
  private final FigureWindow window = new FigureWindow();
  private final Map<String, Watch> watched = new HashMap<>();
  private final Map<String, CanaryVerdict.Outcome> verdicts = new ConcurrentHashMap<>();
  private volatile ScheduledExecutorService executor;

  public CanaryGuard(
      ClusterView view,
      StrategyHistory history,
      MemberFigures figures,
      GuardWrites writes,
      Clock clock,
      MeterRegistry meters) {
    this.view = Objects.requireNonNull(view, "view");
    this.history = Objects.requireNonNull(history, "history");
    this.figures = Objects.requireNonNull(figures, "figures");
    this.writes = Objects.requireNonNull(writes, "writes");
    this.clock = Objects.requireNonNull(clock, "clock");
    this.meters = Objects.requireNonNull(meters, "meters");
    for (String service : ServiceNames.KNOWN) {
      Gauge.builder(VERDICT, verdicts, v -> gaugeValue(v.get(service)))
          .description(
              "The canary guard's last verdict on the service, on the leader: 0 none (not"
                  + " canaried, too few calls, not the leader), 1 QUIC healthy, 2 QUIC worse")
          .tag("service", service)
          .register(meters);
    }
  }

  @Override
  public synchronized void start() {
    if (executor != null) {
      return;
    }
    executor =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "blixard-canary-guard");
              t.setDaemon(true);
              return t;
            });
    scheduleNext(Duration.ofSeconds(1));
  }

  @Override
  public synchronized void stop() {
    if (executor == null) {
      return;
    }
    executor.shutdownNow();
    executor = null;
  }

  @Override
  public boolean isRunning() {
    return executor != null;
  }

  private void scheduleNext(Duration delay) {
    ScheduledExecutorService running = executor;
    if (running == null) {
      return;
    }
    try {
      running.schedule(
          () -> {
            Duration next = Duration.ofSeconds(1);
            try {
              next = tick();
            } catch (RuntimeException e) {
              // A failed round must not end the schedule.
              log.warn("Canary guard round failed", e);
            }
            scheduleNext(next);
          },
          delay.toMillis(),
          TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException stopping) {
      // The node is stopping.
    }
  }

  /** One round; returns when the next is due. */
  synchronized Duration tick() {
    List<StrategyChange> versions = history.versions();
    if (versions.isEmpty()) {
      return idle(Duration.ofSeconds(1));
    }
    StrategyChange current = versions.get(versions.size() - 1);
    MigrationStrategy strategy;
    try {
      strategy = StrategyProtos.parse(current.getStrategy().toByteArray());
    } catch (IllegalArgumentException e) {
      return idle(Duration.ofSeconds(1));
    }
    MigrationStrategy.Guard guard = strategy.guard();
    Optional<RaftState> state = view.state();
    boolean leader =
        state.isPresent()
            && state.get().isLeader()
            && state.get().leaderId().filter(view.nodeId()::equals).isPresent();
    if (!guard.enabled() || !leader) {
      return idle(guard.interval());
    }
    List<String> canaried =
        ServiceNames.KNOWN.stream()
            .filter(s -> strategy.quicSharePercent(s) > 0 && strategy.quicSharePercent(s) < 100)
            .toList();
    if (canaried.isEmpty()) {
      return idle(guard.interval());
    }
    Instant now = clock.instant();
    window.add(now, figures.collect(guard.interval()), guard.window());
    watched.keySet().retainAll(canaried);
    verdicts.keySet().retainAll(canaried);
    for (String service : canaried) {
      int share = strategy.quicSharePercent(service);
      Watch watch = watched.get(service);
      if (watch == null || watch.share != share) {
        // Figures from before the share changed say nothing of the share now.
        watch = new Watch(share, now);
        watched.put(service, watch);
      }
      Instant from = later(now.minus(guard.window()), watch.since);
      Duration span = Duration.between(from, now);
      CanaryVerdict verdict = CanaryVerdict.judge(window.since(from), service, guard, span);
      verdicts.put(service, verdict.outcome());
      log.debug("{}", verdict.reason());
      switch (verdict.outcome()) {
        case WORSE -> rollBack(versions, strategy, service, share, verdict);
        case HEALTHY -> healthy(current, strategy, service, share, watch, now, verdict);
        case UNJUDGED -> {
          if (!now.isBefore(watch.lastCounted.plus(guard.window()))) {
            watch.healthyWindows = 0;
            watch.lastCounted = now;
          }
        }
      }
    }
    return guard.interval();
  }

  private Duration idle(Duration next) {
    window.clear();
    watched.clear();
    verdicts.clear();
    return next;
  }

  private void rollBack(
      List<StrategyChange> versions,
      MigrationStrategy strategy,
      String service,
      int share,
      CanaryVerdict verdict) {
    int good = lastGoodShare(versions, service, share);
    StrategyChange current = versions.get(versions.size() - 1);
    String change =
        service + " quic-share " + good + "% (canary guard rollback from " + share + "%)";
    if (!propose(strategy.withQuicShare(service, good), service, change, verdict, current)) {
      // Judged again on figures from now on, not every round on the same ones.
      watched.remove(service);
    } else {
      Counter.builder(ROLLBACKS)
          .description("Shares the canary guard set back because QUIC was worse than gRPC")
          .tag("service", service)
          .register(meters)
          .increment();
      log.warn(
          "Canary guard set {} quic-share back from {}% to {}% (strategy v{}): {}",
          service, share, good, current.getVersion() + 1, verdict.reason());
    }
  }

  private void healthy(
      StrategyChange current,
      MigrationStrategy strategy,
      String service,
      int share,
      Watch watch,
      Instant now,
      CanaryVerdict verdict) {
    MigrationStrategy.Guard guard = strategy.guard();
    if (now.isBefore(watch.lastCounted.plus(guard.window()))) {
      return;
    }
    watch.lastCounted = now;
    watch.healthyWindows++;
    MigrationStrategy.Promote promote = guard.promote();
    if (!promote.enabled() || watch.healthyWindows < promote.healthyWindows()) {
      return;
    }
    int next = Math.min(100, share + promote.step());
    String change =
        service
            + " quic-share "
            + next
            + "% (canary guard promotion after "
            + watch.healthyWindows
            + " healthy windows)";
    if (!propose(strategy.withQuicShare(service, next), service, change, verdict, current)) {
      watched.remove(service);
    } else {
      Counter.builder(PROMOTIONS)
          .description("Shares the canary guard raised after healthy windows")
          .tag("service", service)
          .register(meters)
          .increment();
      log.info(
          "Canary guard raised {} quic-share from {}% to {}% (strategy v{}): {}",
          service, share, next, current.getVersion() + 1, verdict.reason());
    }
  }

  private boolean propose(
      MigrationStrategy next,
      String service,
      String change,
      CanaryVerdict verdict,
      StrategyChange current) {
    try {
      writes.change(
          StrategyProtos.toProto(next).toByteArray(),
          service,
          change,
          verdict.reason(),
          current.getVersion());
      return true;
    } catch (AccessDeniedException | ClusterUnavailableException e) {
      log.warn(
          "Canary guard could not change {} (from strategy v{}): {}",
          service,
          current.getVersion(),
          e.getMessage());
      return false;
    }
  }

  /**
   * The share before the last raise of {@code service}'s share that is below {@code current}, in
   * the kept history; 0 when there is none (a share the cluster started with, or raised before the
   * kept history).
   */
  static int lastGoodShare(List<StrategyChange> versions, String service, int current) {
    Integer after = null;
    for (int i = versions.size() - 1; i >= 0; i--) {
      int share;
      try {
        share =
            StrategyProtos.parse(versions.get(i).getStrategy().toByteArray())
                .quicSharePercent(service);
      } catch (IllegalArgumentException e) {
        return 0;
      }
      if (after != null && share < after && share < current) {
        return share;
      }
      after = share;
    }
    return 0;
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }

  private static double gaugeValue(CanaryVerdict.Outcome outcome) {
    if (outcome == null) {
      return 0;
    }
    return switch (outcome) {
      case UNJUDGED -> 0;
      case HEALTHY -> 1;
      case WORSE -> 2;
    };
  }
}
