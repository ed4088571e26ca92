package io.blixard.health;

import io.blixard.node.NodeIdentity;
import java.time.Instant;
import java.util.List;
import org.springframework.stereotype.Service;

/** Runs the node's {@link NodeHealthCheck}s. */
@Service
public class DefaultHealthService implements HealthService {

  private final List<NodeHealthCheck> checks;
  private final NodeIdentity identity;

  public DefaultHealthService(List<NodeHealthCheck> checks, NodeIdentity identity) {
    this.checks = List.copyOf(checks);
    this.identity = identity;
  }

  @Override
  public HealthReport check() {
    List<CheckResult> results = checks.stream().map(DefaultHealthService::run).toList();
    HealthStatus overall =
        results.stream().map(CheckResult::status).reduce(HealthStatus.UP, HealthStatus::worst);
    return new HealthReport(overall, results, identity.nodeId(), Instant.now());
  }

  private static CheckResult run(NodeHealthCheck check) {
    try {
      CheckResult result = check.check();
      if (result == null) {
        return new CheckResult(
            check.name(), HealthStatus.DOWN, "check returned no result", java.util.Map.of());
      }
      return result;
    } catch (RuntimeException | LinkageError e) {
      return new CheckResult(
          check.name(), HealthStatus.DOWN, "check failed: " + e, java.util.Map.of());
    }
  }

  @Override
  public PingReply ping(byte[] payload) {
    return new PingReply(payload, Instant.now(), identity.nodeId());
  }
}
