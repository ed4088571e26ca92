package io.blixard.transport.grpc;

import io.blixard.node.NodeIdentity;
import java.time.Duration;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The node's gRPC channels to other nodes, in every mode: TLS exactly when this node's own gRPC
 * listener speaks it ({@code blixard.transport.grpc.tls.enabled}; a cluster runs one setting), with
 * the node's certificate as client certificate.
 */
@AutoConfiguration
@EnableConfigurationProperties(GrpcTransportProperties.class)
public class GrpcClientAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  GrpcChannelFactory grpcChannelFactory(
      GrpcTransportProperties properties, ObjectProvider<NodeIdentity> identity) {
    return GrpcChannelFactory.of(
        properties.tls().enabled() ? GrpcChannelFactory.Tls.ON : GrpcChannelFactory.Tls.OFF,
        identity.getIfAvailable(),
        Duration.ofSeconds(5));
  }
}
