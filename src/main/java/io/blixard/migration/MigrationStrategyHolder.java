package io.blixard.migration;

import io.blixard.rpc.ServiceNames;
import io.blixard.transport.Transport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's current migration strategy: the cluster's (replicated through Raft, see {@link
 * ClusterStrategyFollower}), or this node's override of it (set through {@code
 * /actuator/transports} or {@code blixard strategy set --this-node}), or, before the cluster has
 * one, the node's configuration. Every change is validated, logged, counted ({@code
 * blixard.transport.strategy.changes}) and told to watchers.
 */
public class MigrationStrategyHolder {

  private static final Logger log = LoggerFactory.getLogger(MigrationStrategyHolder.class);

  /** Where the node's strategy comes from. */
  public enum Source {
    /** The cluster has no strategy yet: the node's configuration. */
    CONFIGURATION,
    /** The cluster's strategy, the same on every node that follows it. */
    CLUSTER,
    /** Set on this node alone, over the cluster's. */
    OVERRIDE;

    /** Lower-case form for reports. */
    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  /**
   * A strategy and when and why it became current.
   *
   * @param version the cluster's strategy version the node follows, or overrides; 0 before the
   *     cluster has one
   * @param revision one more with every change of the node's strategy, the cluster's or its own:
   *     what a client compares to see that something changed
   */
  public record Versioned(
      MigrationStrategy strategy,
      long version,
      Instant since,
      String changedBy,
      String change,
      Source source,
      long revision) {}

  private final MigrationStrategy configured;
  // The cluster's version (or the configuration's), and this node's override if it has one.
  private final AtomicReference<Versioned> base;
  private final AtomicReference<Versioned> override = new AtomicReference<>();
  private final AtomicLong revisions = new AtomicLong();
  private final List<Consumer<Versioned>> watchers = new CopyOnWriteArrayList<>();
  private final Counter changes;

  public MigrationStrategyHolder(MigrationStrategy configured, MeterRegistry registry) {
    this.configured = Objects.requireNonNull(configured, "configured");
    this.base =
        new AtomicReference<>(
            new Versioned(
                configured, 0, Instant.now(), "configuration", "", Source.CONFIGURATION, 0));
    this.changes =
        Counter.builder("blixard.transport.strategy.changes")
            .description("Changes of the node's migration strategy, the cluster's or its own")
            .register(registry);
  }

  public MigrationStrategy strategy() {
    return versioned().strategy();
  }

  /** The strategy the node follows now. */
  public Versioned versioned() {
    Versioned own = override.get();
    return own != null ? own : base.get();
  }

  /** The cluster's strategy (or the configuration's before there is one), overridden or not. */
  public Versioned cluster() {
    return base.get();
  }

  /** The strategy from the configuration: a new cluster's first. */
  public MigrationStrategy configured() {
    return configured;
  }

  /**
   * Calls {@code watcher} with every strategy the node follows from now on; returns what undoes
   * that.
   */
  public Runnable watch(Consumer<Versioned> watcher) {
    watchers.add(watcher);
    return () -> watchers.remove(watcher);
  }

  /** A new version of the cluster's strategy, applied from the Raft log. */
  public void followCluster(
      long version, MigrationStrategy strategy, Instant since, String by, String change) {
    Versioned next =
        new Versioned(
            strategy, version, since, by, change, Source.CLUSTER, revisions.incrementAndGet());
    Versioned before = base.getAndSet(next);
    if (before.source() == Source.CLUSTER && before.version() == version) {
      return;
    }
    changed(next, override.get() != null ? " (overridden on this node)" : "");
  }

  /**
   * Overrides the strategy on this node alone, from the one it follows now. The new strategy is
   * validated by its constructor: an invalid change throws {@link IllegalArgumentException} and
   * leaves the strategy as it was.
   */
  public Versioned update(UnaryOperator<MigrationStrategy> change, String by, String description) {
    Versioned after;
    synchronized (this) {
      Versioned before = versioned();
      MigrationStrategy next = change.apply(before.strategy());
      after =
          new Versioned(
              next,
              base.get().version(),
              Instant.now(),
              by,
              description,
              Source.OVERRIDE,
              revisions.incrementAndGet());
      override.set(after);
    }
    changed(after, "");
    return after;
  }

  /** Drops this node's override: back to the cluster's strategy. */
  public Versioned reset(String by) {
    Versioned before = override.getAndSet(null);
    if (before != null) {
      Versioned cluster = base.get();
      base.compareAndSet(
          cluster,
          new Versioned(
              cluster.strategy(),
              cluster.version(),
              cluster.since(),
              cluster.changedBy(),
              cluster.change(),
              cluster.source(),
              revisions.incrementAndGet()));
    }
    Versioned now = versioned();
    if (before != null) {
      changed(now, " (override dropped by " + by + ")");
    }
    return now;
  }

  private void changed(Versioned now, String note) {
    changes.increment();
    log.info(
        "Transport strategy v{} from {} by {}: {}{} (now: {})",
        now.version(),
        now.source().tag(),
        now.changedBy(),
        now.change(),
        note,
        now.strategy());
    Versioned current = versioned();
    for (Consumer<Versioned> watcher : watchers) {
      try {
        watcher.accept(current);
      } catch (RuntimeException e) {
        log.debug("A strategy watcher failed", e);
      }
    }
  }

  /** Where a service is served, for messages: empty when it is served on the transport. */
  public Optional<String> notServedReason(String fullServiceName, Transport transport) {
    return ServiceNames.shortName(fullServiceName)
        .filter(s -> !strategy().servedOn(s).contains(transport))
        .map(s -> ServedOnRefusal.message(s, transport, strategy().servedOn(s)));
  }
}
