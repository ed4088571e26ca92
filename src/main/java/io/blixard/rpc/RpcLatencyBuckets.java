package io.blixard.rpc;

import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import java.time.Duration;
import java.util.Arrays;

/**
 * The histogram buckets of every RPC timer, servers' and clients': fourteen fixed bounds from half
 * a millisecond to ten seconds, the same on every node and client, so that Prometheus can add
 * buckets across nodes and compute one quantile per service and transport ({@code
 * histogram_quantile(0.99, sum by (le, service, transport) (rate(…_bucket[5m])))}). A loopback call
 * takes well under a millisecond, a call to a peer a few; beyond ten seconds a deadline has passed.
 * Micrometer's own percentile histogram would give some seventy buckets per series.
 */
public final class RpcLatencyBuckets {

  /** Upper bounds of the buckets; {@code +Inf} follows. */
  public static final Duration[] BOUNDS = {
    Duration.ofNanos(500_000),
    Duration.ofMillis(1),
    Duration.ofNanos(2_500_000),
    Duration.ofMillis(5),
    Duration.ofMillis(10),
    Duration.ofMillis(25),
    Duration.ofMillis(50),
    Duration.ofMillis(100),
    Duration.ofMillis(250),
    Duration.ofMillis(500),
    Duration.ofSeconds(1),
    Duration.ofMillis(2500),
    Duration.ofSeconds(5),
    Duration.ofSeconds(10)
  };

  private RpcLatencyBuckets() {}

  /** A timer's distribution with exactly these buckets (and no percentile histogram). */
  public static DistributionStatisticConfig histogram() {
    return DistributionStatisticConfig.builder()
        .percentilesHistogram(false)
        .serviceLevelObjectives(
            Arrays.stream(BOUNDS).mapToDouble(d -> (double) d.toNanos()).toArray())
        .build();
  }
}
