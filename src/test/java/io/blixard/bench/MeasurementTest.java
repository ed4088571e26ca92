package io.blixard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;

class MeasurementTest {

  @Test
  void shouldReadPercentilesInMicrosecondsFromAHistogramOfNanoseconds() {
    Histogram nanos = Measurement.newHistogram();
    for (int micros = 1; micros <= 1000; micros++) {
      nanos.recordValue(micros * 1000L);
    }
    Measurement m = Measurement.of("grpc", "unary", 64, 1, 0, nanos, 0, 2.0);

    // Three significant digits: each value within 0.1 % of the exact one.
    assertThat(m.p50()).isCloseTo(500, within(1.0));
    assertThat(m.p99()).isCloseTo(990, within(1.0));
    assertThat(m.p999()).isCloseTo(999, within(1.0));
    assertThat(m.max()).isCloseTo(1000, within(1.0));
    assertThat(m.calls()).isEqualTo(1000);
    assertThat(m.callsPerSecond()).isEqualTo(500);
    assertThat(m.curve()).hasSize(Measurement.CURVE_PERCENTILES.length);
    assertThat(m.curve().get(0)[0]).isZero();
    assertThat(m.round()).isEqualTo(1);
  }

  @Test
  void shouldGiveZerosForAnEmptyHistogram() {
    Measurement m = Measurement.of("grpc", "unary", 64, 1, 5, Measurement.newHistogram(), 3, 0);

    assertThat(m.p50()).isZero();
    assertThat(m.max()).isZero();
    assertThat(m.callsPerSecond()).isZero();
    assertThat(m.errors()).isEqualTo(3);
  }

  @Test
  void shouldKeepEveryFigureWhenPlacedInAnotherRoundAndWorkload() {
    Measurement m = flat("quic", 250, 100, 2.0).as("unary-netns", 90, 4);

    assertThat(m.workload()).isEqualTo("unary-netns");
    assertThat(m.payloadBytes()).isEqualTo(90);
    assertThat(m.round()).isEqualTo(4);
    assertThat(m.p50()).isCloseTo(250, within(0.5));
    assertThat(m.calls()).isEqualTo(100);
    assertThat(m.callsPerSecond()).isEqualTo(50);
  }

  @Test
  void shouldTakeTheMiddleValueOrTheMeanOfTheTwoMiddleValues() {
    assertThat(Spread.median(3)).isEqualTo(3);
    assertThat(Spread.median(5, 1, 3)).isEqualTo(3);
    assertThat(Spread.median(4, 1, 3, 2)).isEqualTo(2.5);
    assertThat(Spread.median(0.9, 0.5, 0.6, 2.0, 0.7)).isEqualTo(0.7);
    assertThatThrownBy(() -> Spread.median(new double[0]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("values: none (expected: at least one)");
  }

  @Test
  void shouldGiveTheMedianAndRangeOfRounds() {
    Spread spread = Spread.of(List.of(0.9, 0.5, 0.6)).orElseThrow();

    assertThat(spread.median()).isEqualTo(0.6);
    assertThat(spread.min()).isEqualTo(0.5);
    assertThat(spread.max()).isEqualTo(0.9);
    assertThat(spread.count()).isEqualTo(3);
    assertThat(spread.maxOverMin()).isCloseTo(1.8, within(1e-12));
    assertThat(spread.format()).isEqualTo("0.60 (0.50–0.90)");
    assertThat(Spread.of(List.of(1.234)).orElseThrow().format()).isEqualTo("1.23");
    assertThat(Spread.of(List.of())).isEmpty();
  }

  @Test
  void shouldSummariseEachTargetsCellByTheMedianOfItsRounds() {
    List<Measurement> rounds =
        List.of(
            flat("quic", 200, 100, 1.0).as("unary", 64, 1),
            flat("grpc", 900, 10, 1.0).as("unary", 64, 1),
            flat("quic", 600, 300, 1.0).as("unary", 64, 2),
            flat("quic", 300, 50, 1.0).as("unary", 64, 3));

    List<Summary> summaries = Summary.of(rounds);

    assertThat(summaries).extracting(Summary::target).containsExactly("quic", "grpc");
    Summary quic = summaries.get(0);
    assertThat(quic.rounds()).isEqualTo(3);
    assertThat(quic.failedRounds()).isZero();
    assertThat(quic.calls()).isEqualTo(450);
    assertThat(quic.p50()).isCloseTo(300, within(0.5));
    assertThat(quic.p99()).isCloseTo(300, within(0.5));
    // max is the largest of any round, not a median.
    assertThat(quic.max()).isCloseTo(600, within(0.5));
    // calls/s: 100, 300, 50 per second -> 100 (not the 150 of all calls over all seconds).
    assertThat(quic.callsPerSecond()).isEqualTo(100);
    assertThat(quic.curve()).hasSize(Measurement.CURVE_PERCENTILES.length);
    assertThat(quic.curve().get(3)[0]).isEqualTo(50);
    assertThat(quic.curve().get(3)[1]).isCloseTo(300, within(0.5));
  }

  @Test
  void shouldLeaveRoundsWithoutAnsweredCallsOutOfTheMediansButCountTheirErrors() {
    Measurement failed =
        Measurement.of("quic", "unary", 64, 1, 0, Measurement.newHistogram(), 7, 4.0)
            .as("unary", 64, 2);
    Summary quic =
        Summary.of(List.of(flat("quic", 400, 100, 1.0), failed, flat("quic", 200, 100, 1.0)))
            .get(0);

    assertThat(quic.rounds()).isEqualTo(3);
    assertThat(quic.failedRounds()).isEqualTo(1);
    assertThat(quic.errors()).isEqualTo(7);
    assertThat(quic.p50()).isCloseTo(300, within(0.5));
    assertThat(quic.callsPerSecond()).isEqualTo(100);
  }

  @Test
  void shouldGiveZerosWhenEveryRoundFailed() {
    Summary quic =
        Summary.of(
                List.of(
                    Measurement.of("quic", "unary", 64, 1, 5, Measurement.newHistogram(), 2, 4.0)))
            .get(0);

    assertThat(quic.failedRounds()).isEqualTo(1);
    assertThat(quic.p50()).isZero();
    assertThat(quic.callsPerSecond()).isZero();
    assertThat(quic.curve()).isEmpty();
  }

  /** {@code calls} calls of {@code micros} each over {@code seconds}. */
  private static Measurement flat(String target, long micros, int calls, double seconds) {
    Histogram nanos = Measurement.newHistogram();
    for (int i = 0; i < calls; i++) {
      nanos.recordValue(micros * 1000);
    }
    return Measurement.of(target, "unary", 64, 1, 0, nanos, 0, seconds);
  }
}
