package io.blixard.bench;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * One cell of one target over all its rounds: the median of each figure over the rounds that
 * measured at least one call, calls and errors summed over every round.
 *
 * @param target the target's name
 * @param workload as in {@link Measurement#workload()}
 * @param payloadBytes as in {@link Measurement#payloadBytes()}
 * @param concurrency calls in flight at once
 * @param lossPercent packets dropped at random in each direction
 * @param rounds rounds that measured this cell
 * @param failedRounds rounds in which no call of this cell succeeded (left out of the medians)
 * @param calls calls measured over every round
 * @param errors calls that failed over every round
 * @param p50 median over the rounds of each round's p50, in µs
 * @param p90 median of the rounds' p90, in µs
 * @param p99 median of the rounds' p99, in µs
 * @param p999 median of the rounds' p99.9, in µs
 * @param max the largest latency of any round, in µs
 * @param callsPerSecond median of the rounds' calls per second
 * @param curve median of the rounds' latency at each of {@link Measurement#CURVE_PERCENTILES}
 */
public record Summary(
    String target,
    String workload,
    int payloadBytes,
    int concurrency,
    int lossPercent,
    int rounds,
    int failedRounds,
    long calls,
    long errors,
    double p50,
    double p90,
    double p99,
    double p999,
    double max,
    double callsPerSecond,
    List<double[]> curve) {

  /** The measurements of one cell and target, whatever their round. */
  record Key(String target, String workload, int payloadBytes, int concurrency, int lossPercent) {
    static Key of(Measurement m) {
      return new Key(m.target(), m.workload(), m.payloadBytes(), m.concurrency(), m.lossPercent());
    }
  }

  /** One summary per cell and target, in the order the cells were first measured. */
  public static List<Summary> of(List<Measurement> results) {
    Map<Key, List<Measurement>> cells = new LinkedHashMap<>();
    results.forEach(m -> cells.computeIfAbsent(Key.of(m), k -> new ArrayList<>()).add(m));
    return cells.values().stream().map(Summary::over).toList();
  }

  /** The summary of one cell and target measured in several rounds. */
  static Summary over(List<Measurement> rounds) {
    Measurement first = rounds.get(0);
    List<Measurement> answered = rounds.stream().filter(m -> m.calls() > 0).toList();
    List<double[]> curve = new ArrayList<>();
    if (!answered.isEmpty()) {
      for (int i = 0; i < first.curve().size(); i++) {
        int point = i;
        curve.add(
            new double[] {
              first.curve().get(point)[0], median(answered, m -> m.curve().get(point)[1])
            });
      }
    }
    return new Summary(
        first.target(),
        first.workload(),
        first.payloadBytes(),
        first.concurrency(),
        first.lossPercent(),
        rounds.size(),
        rounds.size() - answered.size(),
        rounds.stream().mapToLong(Measurement::calls).sum(),
        rounds.stream().mapToLong(Measurement::errors).sum(),
        median(answered, Measurement::p50),
        median(answered, Measurement::p90),
        median(answered, Measurement::p99),
        median(answered, Measurement::p999),
        answered.stream().mapToDouble(Measurement::max).max().orElse(0),
        median(answered, Measurement::callsPerSecond),
        curve);
  }

  private static double median(List<Measurement> rounds, ToDoubleFunction<Measurement> figure) {
    return rounds.isEmpty() ? 0 : Spread.median(rounds.stream().mapToDouble(figure).toArray());
  }
}
