package io.blixard.migration;

import io.blixard.rpc.RpcLatencyBuckets;
import io.blixard.rpc.TransportFigures;
import io.blixard.transport.Transport;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The canary guard's judgement of one service over one window: for each side (servers, members as
 * clients) with at least {@code min-samples} calls over each transport, QUIC is worse when its
 * error ratio exceeds gRPC's by more than {@code max-error-ratio-increase}, or its p99 latency is
 * more than {@code max-p99-ratio} times gRPC's. The p99 is read from the added-up buckets as
 * Prometheus's {@code histogram_quantile} reads them (linear within a bucket).
 *
 * @param outcome what the guard concluded
 * @param reason in words, for the history and the log: what was measured, against which limit
 */
public record CanaryVerdict(Outcome outcome, String reason) {

  /** What a judgement concluded. */
  public enum Outcome {
    /** Too few calls over one transport or the other, on every side: no judgement. */
    UNJUDGED,
    /** QUIC no worse than gRPC beyond the thresholds, on every side judged. */
    HEALTHY,
    /** QUIC worse than gRPC beyond a threshold, on some side. */
    WORSE
  }

  /** Judges {@code service} on {@code window}, the calls of the last {@code span}. */
  public static CanaryVerdict judge(
      Map<TransportFigures.Key, TransportFigures.Counts> window,
      String service,
      MigrationStrategy.Guard guard,
      Duration span) {
    List<String> healthy = new ArrayList<>();
    for (TransportFigures.Side side : TransportFigures.Side.values()) {
      TransportFigures.Counts quic =
          window.get(new TransportFigures.Key(side, service, Transport.QUIC));
      TransportFigures.Counts grpc =
          window.get(new TransportFigures.Key(side, service, Transport.GRPC));
      if (quic == null
          || grpc == null
          || quic.calls() < guard.minSamples()
          || grpc.calls() < guard.minSamples()) {
        continue;
      }
      String where = side == TransportFigures.Side.SERVER ? "on the servers" : "from the members";
      double quicErrors = (double) quic.errors() / quic.calls();
      double grpcErrors = (double) grpc.errors() / grpc.calls();
      if (quicErrors - grpcErrors > guard.maxErrorRatioIncrease()) {
        return new CanaryVerdict(
            Outcome.WORSE,
            String.format(
                Locale.ROOT,
                "canary guard: quic error ratio %.2f vs grpc %.2f over %s (%d/%d vs %d/%d calls %s,"
                    + " limit +%.2f) for %s",
                quicErrors,
                grpcErrors,
                seconds(span),
                quic.errors(),
                quic.calls(),
                grpc.errors(),
                grpc.calls(),
                where,
                guard.maxErrorRatioIncrease(),
                service));
      }
      double quicP99 = quantile(0.99, quic);
      double grpcP99 = quantile(0.99, grpc);
      if (quicP99 > grpcP99 * guard.maxP99Ratio()) {
        return new CanaryVerdict(
            Outcome.WORSE,
            String.format(
                Locale.ROOT,
                "canary guard: quic p99 %.1f ms vs grpc %.1f ms over %s (%d and %d calls %s,"
                    + " limit %.1fx) for %s",
                quicP99 * 1000,
                grpcP99 * 1000,
                seconds(span),
                quic.calls(),
                grpc.calls(),
                where,
                guard.maxP99Ratio(),
                service));
      }
      healthy.add(
          String.format(
              Locale.ROOT,
              "%s: error ratio quic %.2f grpc %.2f, p99 quic %.1f ms grpc %.1f ms (%d and %d calls)",
              where,
              quicErrors,
              grpcErrors,
              quicP99 * 1000,
              grpcP99 * 1000,
              quic.calls(),
              grpc.calls()));
    }
    if (healthy.isEmpty()) {
      return new CanaryVerdict(
          Outcome.UNJUDGED,
          "canary guard: fewer than "
              + guard.minSamples()
              + " calls over quic or grpc within "
              + seconds(span)
              + " for "
              + service);
    }
    return new CanaryVerdict(
        Outcome.HEALTHY,
        "canary guard: quic healthy over "
            + seconds(span)
            + " for "
            + service
            + " ("
            + String.join("; ", healthy)
            + ")");
  }

  /**
   * The {@code q} quantile of the calls in seconds, as {@code histogram_quantile} computes it: the
   * bucket that holds the rank, linearly within it; in the last bucket (beyond the last bound), the
   * last bound.
   */
  static double quantile(double q, TransportFigures.Counts counts) {
    long[] buckets = counts.buckets();
    long total = 0;
    for (long b : buckets) {
      total += b;
    }
    if (total == 0) {
      return Double.NaN;
    }
    double rank = q * total;
    long below = 0;
    double lower = 0;
    for (int i = 0; i < RpcLatencyBuckets.BOUNDS.length; i++) {
      double upper = RpcLatencyBuckets.BOUNDS[i].toNanos() / 1e9;
      if (below + buckets[i] >= rank && buckets[i] > 0) {
        return lower + (upper - lower) * (rank - below) / buckets[i];
      }
      below += buckets[i];
      lower = upper;
    }
    return lower;
  }

  private static String seconds(Duration span) {
    long millis = span.toMillis();
    return millis % 1000 == 0
        ? (millis / 1000) + "s"
        : String.format(Locale.ROOT, "%.1fs", millis / 1000.0);
  }
}
