package io.blixard.transport.quic.client;

import io.blixard.node.NodeAddress;
import io.github.resilience4j.core.IntervalFunction;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * The wait between failed dials of one target, growing with each failure in a row (exponential,
 * jittered): while it lasts, calls to the target fail at once with the last dial's failure, rather
 * than each running a handshake against a peer that refuses. A dial that succeeds clears it.
 */
final class DialBackoff {

  /** The first wait after a failed dial. */
  static final long INITIAL_MILLIS = 100;

  /** The longest wait. */
  static final long MAX_MILLIS = 10_000;

  private record Failure(RuntimeException error, int attempts, long retryAtNanos) {}

  private final IntervalFunction intervals =
      IntervalFunction.ofExponentialRandomBackoff(INITIAL_MILLIS, 2.0, 0.2, MAX_MILLIS);
  private final Map<NodeAddress, Failure> failures = new ConcurrentHashMap<>();
  private final LongSupplier nanoTime;

  DialBackoff(LongSupplier nanoTime) {
    this.nanoTime = nanoTime;
  }

  /** The last dial's failure while target must not be dialled yet; empty when it may be. */
  Optional<RuntimeException> pending(NodeAddress target) {
    Failure failure = failures.get(target);
    if (failure == null || nanoTime.getAsLong() - failure.retryAtNanos() >= 0) {
      return Optional.empty();
    }
    return Optional.of(failure.error());
  }

  void failed(NodeAddress target, RuntimeException error) {
    failures.compute(
        target,
        (t, previous) -> {
          int attempts = previous == null ? 1 : previous.attempts() + 1;
          long waitNanos = TimeUnit.MILLISECONDS.toNanos(intervals.apply(attempts));
          return new Failure(error, attempts, nanoTime.getAsLong() + waitNanos);
        });
  }

  void succeeded(NodeAddress target) {
    failures.remove(target);
  }
}
