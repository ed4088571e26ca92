package io.blixard.health;

/** One of the node's health checks; every bean of this type is part of {@link HealthService}. */
public interface NodeHealthCheck {

  /** The check's name, as it appears in answers and in Actuator. */
  String name();

  CheckResult check();
}
