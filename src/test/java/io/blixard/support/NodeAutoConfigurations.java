package io.blixard.support;

import io.blixard.migration.MigrationAutoConfiguration;
import io.blixard.rpc.RpcAutoConfiguration;
import io.blixard.transport.TransportAutoConfiguration;
import io.blixard.transport.grpc.GrpcTransportAutoConfiguration;
import java.util.ArrayList;
import java.util.List;
import org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.grpc.autoconfigure.server.GrpcServerAutoConfiguration;
import org.springframework.grpc.autoconfigure.server.GrpcServerFactoryAutoConfiguration;
import org.springframework.grpc.autoconfigure.server.GrpcServerObservationAutoConfiguration;
import org.springframework.grpc.autoconfigure.server.GrpcServerReflectionAutoConfiguration;
import org.springframework.grpc.autoconfigure.server.health.GrpcServerHealthAutoConfiguration;

/**
 * The auto-configurations an {@code ApplicationContextRunner} needs to serve like the node: the
 * gRPC starter's server side, Micrometer observations, and the node's transport plug-ins.
 */
public final class NodeAutoConfigurations {

  /**
   * Properties of a context that tests transport plumbing rather than security: insecure mode (no
   * authorization, which needs the cluster's roles), plaintext gRPC, anonymous QUIC clients.
   */
  public static final String[] INSECURE = {
    "blixard.security.mode=insecure",
    "blixard.transport.grpc.tls.enabled=false",
    "blixard.transport.grpc.tls.client-auth=none",
    "blixard.transport.quic.client-auth=none"
  };

  private NodeAutoConfigurations() {}

  /** The gRPC transport on the starter, with the rpc chain and the migration, plus {@code more}. */
  public static AutoConfigurations grpcTransport(Class<?>... more) {
    List<Class<?>> all =
        new ArrayList<>(
            List.of(
                ObservationAutoConfiguration.class,
                GrpcServerFactoryAutoConfiguration.class,
                GrpcServerAutoConfiguration.class,
                GrpcServerHealthAutoConfiguration.class,
                GrpcServerReflectionAutoConfiguration.class,
                GrpcServerObservationAutoConfiguration.class,
                TransportAutoConfiguration.class,
                RpcAutoConfiguration.class,
                MigrationAutoConfiguration.class,
                GrpcTransportAutoConfiguration.class));
    all.addAll(List.of(more));
    return AutoConfigurations.of(all.toArray(Class<?>[]::new));
  }
}
