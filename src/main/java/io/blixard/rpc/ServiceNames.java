package io.blixard.rpc;

import java.util.List;
import java.util.Optional;

/**
 * The short names operators use for services in the migration strategy ({@code health}, {@code
 * status}, {@code monitoring}, later {@code vm} and {@code raft}) and how full gRPC service names
 * map to them.
 */
public final class ServiceNames {

  /** Every service name the strategy accepts, including those of services still to come. */
  public static final List<String> KNOWN = List.of("health", "status", "monitoring", "vm", "raft");

  private ServiceNames() {}

  /**
   * The short name of a full gRPC service name: {@code blixard.health.v1.HealthService} and the
   * standard {@code grpc.health.v1.Health} are {@code health}. Empty for services outside the
   * strategy (such as reflection).
   */
  public static Optional<String> shortName(String fullServiceName) {
    if (fullServiceName == null) {
      return Optional.empty();
    }
    if (fullServiceName.equals("grpc.health.v1.Health")) {
      return Optional.of("health");
    }
    String[] parts = fullServiceName.split("\\.");
    if (parts.length >= 3 && parts[0].equals("blixard") && KNOWN.contains(parts[1])) {
      return Optional.of(parts[1]);
    }
    return Optional.empty();
  }

  /** The full name itself when it has no short name: how metrics and endpoints label a service. */
  public static String label(String fullServiceName) {
    return shortName(fullServiceName).orElse(String.valueOf(fullServiceName));
  }

  /** Fails with the allowed names when {@code name} is not one of them. */
  public static String requireKnown(String name, String setting) {
    if (!KNOWN.contains(name)) {
      throw new IllegalArgumentException(
          setting
              + ": unknown service "
              + InputEcho.quoted(name)
              + " (expected one of "
              + KNOWN
              + ")");
    }
    return name;
  }
}
