package io.blixard.client;

import io.blixard.migration.MigrationStrategy;
import io.blixard.transport.Transport;
import java.util.Set;
import java.util.function.IntSupplier;

/**
 * Picks the transport of one call from the migration strategy: the service's QUIC share (a
 * preference is 100 %), then adaptive latency, then where the service is served and whether QUIC
 * can be used at all (known, circuit closed).
 */
final class TransportSelector {

  /** The transport of a call and why it was chosen (a metric tag). */
  record Selection(Transport transport, String reason) {}

  private final LatencyTracker latency;
  private final IntSupplier percentile;

  /**
   * @param percentile a uniformly random number from 0 to 99, once per call
   */
  TransportSelector(LatencyTracker latency, IntSupplier percentile) {
    this.latency = latency;
    this.percentile = percentile;
  }

  Selection select(
      String service, MigrationStrategy strategy, boolean quicUsable, String quicUnusableReason) {
    int share = strategy.quicSharePercent(service);
    Selection choice;
    if (share >= 100) {
      choice = new Selection(Transport.QUIC, "preferred");
    } else if (share <= 0) {
      choice = new Selection(Transport.GRPC, "preferred");
    } else {
      choice =
          percentile.getAsInt() < share
              ? new Selection(Transport.QUIC, "share")
              : new Selection(Transport.GRPC, "share");
    }
    choice = adaptive(service, strategy, choice);
    Set<Transport> served = strategy.servedOn(service);
    if (!served.contains(choice.transport())) {
      choice = new Selection(other(choice.transport()), "served_on");
    }
    if (choice.transport() == Transport.QUIC && !quicUsable && served.contains(Transport.GRPC)) {
      choice = new Selection(Transport.GRPC, quicUnusableReason);
    }
    return choice;
  }

  private Selection adaptive(String service, MigrationStrategy strategy, Selection choice) {
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
        ? new Selection(alternative, "adaptive")
        : choice;
  }

  static Transport other(Transport transport) {
    return transport == Transport.QUIC ? Transport.GRPC : Transport.QUIC;
  }
}
