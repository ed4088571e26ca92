package io.blixard.transport.quic.autoconfigure;

import io.blixard.migration.MigrationAutoConfiguration;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeIdentity;
import io.blixard.rpc.RpcAutoConfiguration;
import io.blixard.rpc.ServerInterceptorChain;
import io.blixard.rpc.ServiceCatalogue;
import io.blixard.security.SecurityProperties;
import io.blixard.transport.ConditionalOnTransport;
import io.blixard.transport.Transport;
import io.blixard.transport.TransportAutoConfiguration;
import io.blixard.transport.quic.QuicMetrics;
import io.blixard.transport.quic.QuicTransportProperties;
import io.blixard.transport.quic.client.QuicClientSettings;
import io.blixard.transport.quic.client.QuicConnectionPool;
import io.blixard.transport.quic.server.QuicRpcServer;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

/**
 * The QUIC transport: a Blixard RPC server when {@code blixard.transport.mode} is quic or dual, and
 * a connection pool for the node's own calls to peers over QUIC.
 */
@AutoConfiguration(
    after = {
      TransportAutoConfiguration.class,
      RpcAutoConfiguration.class,
      MigrationAutoConfiguration.class
    })
@EnableConfigurationProperties(QuicTransportProperties.class)
public class QuicTransportAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  QuicConnectionPool quicConnectionPool(
      QuicTransportProperties properties, NodeIdentity identity, MeterRegistry meterRegistry) {
    return new QuicConnectionPool(QuicClientSettings.from(properties), identity, meterRegistry);
  }

  /** The listener, switched on by the mode. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnTransport(Transport.QUIC)
  static class QuicServerConfiguration {

    @Bean
    @ConditionalOnMissingBean
    QuicRpcServer quicRpcServer(
        QuicTransportProperties properties,
        NodeIdentity identity,
        ServiceCatalogue catalogue,
        ServerInterceptorChain chain,
        MeterRegistry meterRegistry,
        NodeEndpoints endpoints,
        Environment environment) {
      if (SecurityProperties.secure(environment)
          && properties.clientAuth() == QuicTransportProperties.ClientAuth.NONE) {
        // Secure mode authorizes every call by the caller's certificate.
        throw new IllegalStateException(
            "blixard.transport.quic.client-auth=none: secure mode authorizes calls by the caller's"
                + " certificate (expected: need or want, or blixard.security.mode=insecure)");
      }
      return new QuicRpcServer(
          properties,
          identity,
          catalogue,
          chain.interceptors(Transport.QUIC),
          endpoints,
          new QuicMetrics(meterRegistry, "server"));
    }
  }
}
