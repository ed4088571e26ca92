package io.blixard.transport.grpc;

import io.blixard.migration.MigrationAutoConfiguration;
import io.blixard.migration.MigrationStrategyHolder;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeIdentity;
import io.blixard.rpc.RpcAutoConfiguration;
import io.blixard.rpc.ServiceCatalogue;
import io.blixard.transport.ConditionalOnTransport;
import io.blixard.transport.Transport;
import io.blixard.transport.TransportAutoConfiguration;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The gRPC transport: a gRPC server when {@code blixard.transport.mode} is grpc or dual. */
@AutoConfiguration(
    after = {
      TransportAutoConfiguration.class,
      RpcAutoConfiguration.class,
      MigrationAutoConfiguration.class
    })
@EnableConfigurationProperties(GrpcTransportProperties.class)
public class GrpcTransportAutoConfiguration {

  /** The listener, switched on by the mode. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnTransport(Transport.GRPC)
  static class GrpcServerConfiguration {

    @Bean
    @ConditionalOnMissingBean
    GrpcServerLifecycle grpcServerLifecycle(
        GrpcTransportProperties properties,
        ServiceCatalogue catalogue,
        MeterRegistry meterRegistry,
        NodeEndpoints endpoints,
        MigrationStrategyHolder strategies,
        ObjectProvider<NodeIdentity> identity) {
      return new GrpcServerLifecycle(
          properties, catalogue, meterRegistry, endpoints, strategies, identity.getIfAvailable());
    }
  }
}
