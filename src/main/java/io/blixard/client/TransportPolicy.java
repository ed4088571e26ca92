package io.blixard.client;

import io.blixard.migration.MigrationStrategy;
import io.blixard.transport.Transport;
import java.util.function.Supplier;

/** Whether a client follows the node's migration strategy or pins one transport. */
public enum TransportPolicy {
  /** Follow the strategy, with fallback, retries and circuit breakers. */
  AUTO,
  /** Every call over gRPC. */
  GRPC,
  /** Every call over QUIC, with no fallback: for checking the QUIC path itself. */
  QUIC;

  /** The selection this policy makes calls by. */
  TransportSelection selection(Supplier<MigrationStrategy> strategy, LatencyTracker latency) {
    return switch (this) {
      case AUTO -> new StrategySelection(strategy, latency);
      case GRPC -> TransportSelection.pinned(Transport.GRPC);
      case QUIC -> TransportSelection.pinned(Transport.QUIC);
    };
  }
}
