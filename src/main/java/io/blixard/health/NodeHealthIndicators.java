package io.blixard.health;

import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.actuate.health.Status;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Exposes every {@link NodeHealthCheck} as an Actuator health indicator of the same name, so that
 * {@code /actuator/health} and {@code HealthService/Check} tell the same story.
 */
@Configuration(proxyBeanMethods = false)
public class NodeHealthIndicators {

  /** The Actuator status for DEGRADED; ordered between DOWN and UP in application.yml. */
  public static final Status DEGRADED = new Status("DEGRADED");

  @Bean
  HealthContributor raftHealthContributor(RaftHealthCheck check) {
    return new CheckIndicator(check);
  }

  @Bean
  HealthContributor storageHealthContributor(StorageHealthCheck check) {
    return new CheckIndicator(check);
  }

  @Bean
  HealthContributor peersHealthContributor(PeersHealthCheck check) {
    return new CheckIndicator(check);
  }

  /** One check as an indicator. */
  static final class CheckIndicator extends AbstractHealthIndicator {

    private final NodeHealthCheck check;

    CheckIndicator(NodeHealthCheck check) {
      super(check.name() + " health check failed");
      this.check = check;
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
      CheckResult result = check.check();
      builder
          .status(
              switch (result.status()) {
                case UP -> Status.UP;
                case DEGRADED -> DEGRADED;
                case DOWN -> Status.DOWN;
              })
          .withDetail("detail", result.detail())
          .withDetails(result.attributes());
    }
  }
}
