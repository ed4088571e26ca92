package io.blixard.health;

/** The status of a health check, from best to worst. */
public enum HealthStatus {
  /** Working as expected. */
  UP,
  /** Working, but impaired (for example some peers are unreachable). */
  DEGRADED,
  /** Not working. */
  DOWN;

  /** The worse of the two. */
  public HealthStatus worst(HealthStatus other) {
    return other.ordinal() > ordinal() ? other : this;
  }
}
