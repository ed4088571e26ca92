package io.blixard.migration;

import io.blixard.rpc.ServiceNames;
import io.blixard.transport.Transport;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's current migration strategy: the configured one at start-up, then whatever operators
 * set at run time. Every change is validated, logged, counted ({@code
 * blixard.transport.strategy.changes}) and versioned so that clients notice it.
 */
public class MigrationStrategyHolder {

  private static final Logger log = LoggerFactory.getLogger(MigrationStrategyHolder.class);

  /** A strategy and when and why it became current. */
  public record Versioned(
      MigrationStrategy strategy, long version, Instant since, String changedBy, String change) {}

  private final MigrationStrategy configured;
  private final AtomicReference<Versioned> current;
  private final Counter changes;

  public MigrationStrategyHolder(MigrationStrategy configured, MeterRegistry registry) {
    this.configured = Objects.requireNonNull(configured, "configured");
    this.current =
        new AtomicReference<>(new Versioned(configured, 0, Instant.now(), "configuration", ""));
    this.changes =
        Counter.builder("blixard.transport.strategy.changes")
            .description("Run-time changes of the migration strategy")
            .register(registry);
  }

  public MigrationStrategy strategy() {
    return current.get().strategy();
  }

  public Versioned versioned() {
    return current.get();
  }

  /** The strategy from the configuration, which {@link #reset} goes back to. */
  public MigrationStrategy configured() {
    return configured;
  }

  /**
   * Applies a change. The new strategy is validated by its constructor: an invalid change throws
   * {@link IllegalArgumentException} and leaves the strategy as it was.
   */
  public Versioned update(UnaryOperator<MigrationStrategy> change, String by, String description) {
    Versioned before;
    Versioned after;
    do {
      before = current.get();
      MigrationStrategy next = change.apply(before.strategy());
      after = new Versioned(next, before.version() + 1, Instant.now(), by, description);
    } while (!current.compareAndSet(before, after));
    changes.increment();
    log.info(
        "Transport strategy v{} by {}: {} (now: {})",
        after.version(),
        by,
        description,
        after.strategy());
    return after;
  }

  /** Back to the configured strategy. */
  public Versioned reset(String by) {
    return update(s -> configured, by, "reset to the configured strategy");
  }

  /** Where a service is served, for messages: empty when it is served on the transport. */
  public Optional<String> notServedReason(String fullServiceName, Transport transport) {
    return ServiceNames.shortName(fullServiceName)
        .filter(s -> !strategy().servedOn(s).contains(transport))
        .map(s -> ServedOnRefusal.message(s, transport, strategy().servedOn(s)));
  }
}
