package io.blixard.health;

import java.util.Map;

/**
 * The outcome of one health check.
 *
 * @param name "raft", "storage" or "peers"
 * @param detail a human-readable explanation of the status
 * @param attributes the readings behind the status
 */
public record CheckResult(
    String name, HealthStatus status, String detail, Map<String, String> attributes) {

  public CheckResult {
    attributes = Map.copyOf(attributes);
  }
}
