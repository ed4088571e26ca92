package io.blixard.health;

import io.blixard.node.NodeId;
import java.time.Instant;
import java.util.List;

/** The node's overall health: the worst status of its checks, and each check. */
public record HealthReport(
    HealthStatus status, List<CheckResult> checks, NodeId nodeId, Instant checkedAt) {

  public HealthReport {
    checks = List.copyOf(checks);
  }
}
