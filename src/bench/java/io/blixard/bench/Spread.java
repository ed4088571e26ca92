package io.blixard.bench;

import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;
import java.util.Optional;

/**
 * A figure over a cell's rounds: the median of the rounds' values and their smallest and largest
 * value, so a reader sees how far one run's figure can be trusted.
 *
 * @param median the middle value (the mean of the two middle values for an even count)
 * @param min the smallest value of any round
 * @param max the largest value of any round
 * @param count how many rounds gave a value
 */
public record Spread(double median, double min, double max, int count) {

  /** The median and range of {@code values}; empty when there are none. */
  public static Optional<Spread> of(Collection<Double> values) {
    if (values.isEmpty()) {
      return Optional.empty();
    }
    double[] sorted = values.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    return Optional.of(
        new Spread(median(sorted), sorted[0], sorted[sorted.length - 1], sorted.length));
  }

  /** The median of {@code values}, which must not be empty. */
  public static double median(double... values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("values: none (expected: at least one)");
    }
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    int middle = sorted.length / 2;
    return sorted.length % 2 == 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
  }

  /** Largest over smallest value: 1 when every round agreed. */
  public double maxOverMin() {
    return min == 0 ? Double.POSITIVE_INFINITY : max / min;
  }

  /** {@code 0.71 (0.65–0.80)}: the median, then the range if more than one round gave a value. */
  public String format() {
    String median = String.format(Locale.ROOT, "%.2f", this.median);
    if (count == 1) {
      return median;
    }
    return String.format(Locale.ROOT, "%s (%.2f–%.2f)", median, min, max);
  }
}
