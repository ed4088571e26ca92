package io.blixard.config;

import java.util.Objects;
import org.springframework.boot.diagnostics.AbstractFailureAnalyzer;
import org.springframework.boot.diagnostics.FailureAnalysis;
import org.springframework.boot.web.server.PortInUseException;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;

/**
 * Reports a taken HTTP port naming its setting, {@code server.port} (or {@code
 * management.server.port} when Actuator has a port of its own), in the form of the node's other
 * listeners. Runs before Spring Boot's analyzer of the same failure, which names no setting.
 */
@Order(Ordered.HIGHEST_PRECEDENCE)
class WebServerPortFailureAnalyzer extends AbstractFailureAnalyzer<PortInUseException> {

  private final Environment environment;

  WebServerPortFailureAnalyzer(Environment environment) {
    this.environment = Objects.requireNonNull(environment, "environment");
  }

  @Override
  protected FailureAnalysis analyze(Throwable rootFailure, PortInUseException cause) {
    String port = String.valueOf(cause.getPort());
    String setting =
        port.equals(environment.getProperty("management.server.port"))
                && !port.equals(environment.getProperty("server.port"))
            ? "management.server.port"
            : "server.port";
    return new FailureAnalysis(
        setting
            + ": "
            + port
            + " is already in use (expected: a free TCP port, or 0 for any free one)",
        "Change " + setting + " (docs/configuration.md), or stop what holds the port.",
        cause);
  }
}
