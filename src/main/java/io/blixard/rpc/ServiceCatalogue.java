package io.blixard.rpc;

import io.grpc.BindableService;
import io.grpc.ServerServiceDefinition;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * Every service the node serves, as gRPC service definitions. Each transport serves all of them
 * from here: adding a service is adding a {@link BindableService} bean, never transport code.
 *
 * <p>Server reflection ({@code grpc.reflection.*}) is left out: it lists the services of the gRPC
 * server it runs in, so it exists on gRPC only.
 */
public final class ServiceCatalogue {

  private static final String REFLECTION_PREFIX = "grpc.reflection.";

  private final Map<String, ServerServiceDefinition> services;

  public ServiceCatalogue(List<? extends BindableService> services) {
    this.services =
        services.stream()
            .map(BindableService::bindService)
            .filter(d -> !isReflection(d.getServiceDescriptor().getName()))
            .sorted(Comparator.comparing(d -> d.getServiceDescriptor().getName()))
            .collect(
                Collectors.toMap(
                    d -> d.getServiceDescriptor().getName(),
                    Function.identity(),
                    (a, b) -> {
                      throw new IllegalStateException(
                          "service "
                              + a.getServiceDescriptor().getName()
                              + " is registered twice (expected: one bean per service)");
                    },
                    java.util.LinkedHashMap::new));
  }

  /** Whether a service is gRPC server reflection, which the catalogue leaves out. */
  public static boolean isReflection(String fullServiceName) {
    return fullServiceName.startsWith(REFLECTION_PREFIX);
  }

  /** The definitions, ordered by full service name. */
  public List<ServerServiceDefinition> definitions() {
    return List.copyOf(services.values());
  }

  /** The definition of a service by its full name, e.g. {@code blixard.health.v1.HealthService}. */
  public Optional<ServerServiceDefinition> service(String fullServiceName) {
    return Optional.ofNullable(services.get(fullServiceName));
  }

  /** Full names of every service, ordered. */
  public List<String> serviceNames() {
    return List.copyOf(services.keySet());
  }
}
