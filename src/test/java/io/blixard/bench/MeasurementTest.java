package io.blixard.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

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
  }

  @Test
  void shouldGiveZerosForAnEmptyHistogram() {
    Measurement m = Measurement.of("grpc", "unary", 64, 1, 5, Measurement.newHistogram(), 3, 0);

    assertThat(m.p50()).isZero();
    assertThat(m.max()).isZero();
    assertThat(m.callsPerSecond()).isZero();
    assertThat(m.errors()).isEqualTo(3);
  }
}
