package io.blixard.config;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.mock.env.MockEnvironment;

class WebServerPortFailureAnalyzerTest {

  @Test
  void shouldNameServerPort() {
    FailureAnalysis analysis =
        new WebServerPortFailureAnalyzer(new MockEnvironment().withProperty("server.port", "8080"))
            .analyze(new IllegalStateException("start", new PortInUseException(8080)));

    assertThat(analysis.getDescription())
        .isEqualTo(
            "server.port: 8080 is already in use (expected: a free TCP port, or 0 for any free"
                + " one)");
    assertThat(analysis.getAction()).contains("server.port");
  }

  @Test
  void shouldNameTheManagementPortWhenActuatorHasItsOwn() {
    FailureAnalysis analysis =
        new WebServerPortFailureAnalyzer(
                new MockEnvironment()
                    .withProperty("server.port", "8080")
                    .withProperty("management.server.port", "9080"))
            .analyze(new PortInUseException(9080));

    assertThat(analysis.getDescription()).startsWith("management.server.port: 9080 is already");
  }
}
