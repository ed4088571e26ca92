package io.blixard.client;

import java.time.Duration;

/**
 * How a {@link TransportChoosingChannel} retries, budgets retries and breaks circuits.
 *
 * @param maxAttempts attempts of a call that is safe to send again (declared idempotent or free of
 *     side effects, or never run by the server), the first one included
 * @param initialBackoff wait before the first retry; doubled for each further one
 * @param maxBackoff longest wait between attempts
 * @param retriesPerSecond retry budget: retries beyond this rate fail at once instead of piling on
 *     a struggling node
 * @param failureRateThreshold percentage of failed calls (over the sliding window) that opens a
 *     transport's circuit to a peer
 * @param slidingWindowCalls calls the failure rate is computed over
 * @param openStateWait how long an open circuit stays open before it lets trial calls through
 */
public record ClientOptions(
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    int retriesPerSecond,
    float failureRateThreshold,
    int slidingWindowCalls,
    Duration openStateWait) {

  public ClientOptions {
    if (maxAttempts < 1) {
      throw new IllegalArgumentException("maxAttempts: " + maxAttempts + " (expected: >= 1)");
    }
    if (retriesPerSecond < 0) {
      throw new IllegalArgumentException(
          "retriesPerSecond: " + retriesPerSecond + " (expected: >= 0)");
    }
    if (failureRateThreshold <= 0 || failureRateThreshold > 100) {
      throw new IllegalArgumentException(
          "failureRateThreshold: " + failureRateThreshold + " (expected: > 0 and <= 100)");
    }
  }

  /** Three attempts from 50 ms backoff, 20 retries a second, circuits open at 50 % of 20 calls. */
  public static ClientOptions defaults() {
    return new ClientOptions(
        3, Duration.ofMillis(50), Duration.ofSeconds(1), 20, 50f, 20, Duration.ofSeconds(5));
  }
}
