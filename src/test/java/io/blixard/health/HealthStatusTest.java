package io.blixard.health;

import static io.blixard.health.HealthStatus.DEGRADED;
import static io.blixard.health.HealthStatus.DOWN;
import static io.blixard.health.HealthStatus.UP;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class HealthStatusTest {

  @ParameterizedTest(name = "{0} worst {1} = {2}")
  @CsvSource({
    "UP, UP, UP",
    "UP, DEGRADED, DEGRADED",
    "UP, DOWN, DOWN",
    "DEGRADED, UP, DEGRADED",
    "DEGRADED, DEGRADED, DEGRADED",
    "DEGRADED, DOWN, DOWN",
    "DOWN, UP, DOWN",
    "DOWN, DEGRADED, DOWN",
    "DOWN, DOWN, DOWN"
  })
  void shouldPickTheWorseOfTwo(HealthStatus a, HealthStatus b, HealthStatus expected) {
    assertThat(a.worst(b)).isEqualTo(expected);
  }

  @ParameterizedTest
  @CsvSource({"UP", "DEGRADED", "DOWN"})
  void shouldBeCommutative(HealthStatus a) {
    for (HealthStatus b : HealthStatus.values()) {
      assertThat(a.worst(b)).as("%s worst %s", a, b).isEqualTo(b.worst(a));
    }
    assertThat(UP.worst(a)).isEqualTo(a);
    assertThat(DOWN.worst(a)).isEqualTo(DOWN);
    assertThat(DEGRADED.worst(a)).isIn(DEGRADED, DOWN);
  }
}
