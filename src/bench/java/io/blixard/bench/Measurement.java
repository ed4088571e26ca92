package io.blixard.bench;

import java.util.List;
import org.HdrHistogram.Histogram;

/**
 * One cell of the benchmark: a workload over one target at one payload, concurrency and loss, with
 * its latency percentiles in microseconds and its rate.
 *
 * @param target the target's name, e.g. {@code grpc-tls}
 * @param workload {@code unary}, {@code stream} (one server-streaming call) or {@code connect}
 *     (a new connection to the first response)
 * @param payloadBytes the request payload (for streams: the size of each streamed message)
 * @param concurrency calls in flight at once
 * @param lossPercent packets dropped at random in each direction, 0 on loopback
 * @param round the round of the run this cell was measured in, from 1 (every round measures every
 *     cell once, targets one after the other)
 * @param calls calls measured (after warm-up)
 * @param errors calls that failed
 * @param seconds how long the measured calls took, first start to last end
 * @param curve latency (µs) at each of {@link #CURVE_PERCENTILES}
 */
public record Measurement(
    String target,
    String workload,
    int payloadBytes,
    int concurrency,
    int lossPercent,
    int round,
    long calls,
    long errors,
    double seconds,
    double p50,
    double p90,
    double p99,
    double p999,
    double max,
    List<double[]> curve) {

  /** The percentiles of each latency curve in the report's charts. */
  public static final double[] CURVE_PERCENTILES = {
    0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 100
  };

  /** This cell as measured in {@code round}, under another workload name and payload. */
  public Measurement as(String workload, int payloadBytes, int round) {
    return new Measurement(
        target, workload, payloadBytes, concurrency, lossPercent, round, calls, errors, seconds,
        p50, p90, p99, p999, max, curve);
  }

  /** Calls per second over the measured time. */
  public double callsPerSecond() {
    return seconds <= 0 ? 0 : calls / seconds;
  }

  /** The percentiles of a histogram of nanoseconds, in microseconds, measured in round 1. */
  public static Measurement of(
      String target,
      String workload,
      int payloadBytes,
      int concurrency,
      int lossPercent,
      Histogram nanos,
      long errors,
      double seconds) {
    List<double[]> curve =
        java.util.Arrays.stream(CURVE_PERCENTILES)
            .mapToObj(p -> new double[] {p, micros(nanos, p)})
            .toList();
    return new Measurement(
        target,
        workload,
        payloadBytes,
        concurrency,
        lossPercent,
        1,
        nanos.getTotalCount(),
        errors,
        seconds,
        micros(nanos, 50),
        micros(nanos, 90),
        micros(nanos, 99),
        micros(nanos, 99.9),
        nanos.getTotalCount() == 0 ? 0 : nanos.getMaxValue() / 1000.0,
        curve);
  }

  /** The value at a percentile in µs; 0 for an empty histogram. */
  static double micros(Histogram nanos, double percentile) {
    if (nanos.getTotalCount() == 0) {
      return 0;
    }
    return nanos.getValueAtPercentile(percentile) / 1000.0;
  }

  /** A histogram of nanoseconds from 1 µs to 5 minutes, three significant digits. */
  public static Histogram newHistogram() {
    return new Histogram(1_000, 300_000_000_000L, 3);
  }
}
