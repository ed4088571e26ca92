package io.blixard.client;

import io.blixard.migration.MigrationStrategy;
import io.blixard.transport.Transport;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Selection by the peer's migration strategy, read afresh for every call: the service's QUIC share
 * (a preference is 100 %), then adaptive latency, then where the service is served.
 */
final class StrategySelection implements TransportSelection {

  private final Supplier<MigrationStrategy> strategy;
  private final LatencyTracker latency;
  private final IntSupplier percentile;

  StrategySelection(Supplier<MigrationStrategy> strategy, LatencyTracker latency) {
    this(strategy, latency, () -> ThreadLocalRandom.current().nextInt(100));
  }

  /**
   * @param percentile a uniformly random number from 0 to 99, once per call
   */
  StrategySelection(
      Supplier<MigrationStrategy> strategy, LatencyTracker latency, IntSupplier percentile) {
    this.strategy = Objects.requireNonNull(strategy, "strategy");
    this.latency = Objects.requireNonNull(latency, "latency");
    this.percentile = Objects.requireNonNull(percentile, "percentile");
  }

  @Override
  public Choice select(String service) {
    MigrationStrategy current = strategy.get();
    int share = current.quicSharePercent(service);
    Choice choice;
    if (share >= 100) {
      choice = new Choice(Transport.QUIC, "preferred");
    } else if (share <= 0) {
      choice = new Choice(Transport.GRPC, "preferred");
    } else {
      choice =
          percentile.getAsInt() < share
              ? new Choice(Transport.QUIC, "share")
              : new Choice(Transport.GRPC, "share");
    }
    choice = adaptive(service, current, choice);
    Set<Transport> served = current.servedOn(service);
    if (!served.contains(choice.transport())) {
      choice = new Choice(other(choice.transport()), "served_on");
    }
    return choice;
  }

  @Override
  public boolean mayReroute(String service) {
    return strategy.get().servedOn(service).contains(Transport.GRPC);
  }

  @Override
  public boolean mayFallBack(String service) {
    MigrationStrategy current = strategy.get();
    return current.fallbackToGrpc() && current.servedOn(service).contains(Transport.GRPC);
  }

  private Choice adaptive(String service, MigrationStrategy strategy, Choice choice) {
    MigrationStrategy.Adaptive adaptive = strategy.adaptive();
    if (!adaptive.enabled()) {
      return choice;
    }
    Transport preferred = choice.transport();
    Transport alternative = other(preferred);
    if (latency.samples(service, preferred) < adaptive.minSamples()
        || latency.samples(service, alternative) < adaptive.minSamples()) {
      return choice;
    }
    double slower =
        latency.averageMicros(service, preferred).getAsDouble()
            - latency.averageMicros(service, alternative).getAsDouble();
    return slower > adaptive.latencyThreshold().toNanos() / 1000.0
        ? new Choice(alternative, "adaptive")
        : choice;
  }

  static Transport other(Transport transport) {
    return transport == Transport.QUIC ? Transport.GRPC : Transport.QUIC;
  }

  @Override
  public String toString() {
    return "by the migration strategy";
  }
}
