package io.blixard.transport.quic.autoconfigure;

import io.blixard.migration.MigrationAutoConfiguration;
import io.blixard.migration.MigrationStrategyHolder;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeIdentity;
import io.blixard.rpc.RpcAutoConfiguration;
import io.blixard.rpc.ServerInterceptorChain;
import io.blixard.rpc.ServiceCatalogue;
import io.blixard.security.SecurityProperties;
import io.blixard.transport.ConditionalOnTransport;
import io.blixard.transport.Transport;
import io.blixard.transport.TransportAutoConfiguration;
import io.blixard.transport.TransportMode;
import io.blixard.transport.TransportProperties;
import io.blixard.transport.quic.QuicMetrics;
import io.blixard.transport.quic.QuicRaftRouterProperties;
import io.blixard.transport.quic.QuicRaftShareProperties;
import io.blixard.transport.quic.QuicTransportProperties;
import io.blixard.transport.quic.client.QuicClientSettings;
import io.blixard.transport.quic.client.QuicConnectionPool;
import io.blixard.transport.quic.raft.QuicRaftEndpoint;
import io.blixard.transport.quic.raft.QuicRaftTransport;
import io.blixard.transport.quic.raft.RaftRouterTransport;
import io.blixard.transport.quic.raft.RaftRouting;
import io.blixard.transport.quic.server.QuicRpcServer;
import io.blixard.transport.quic.server.RaftShare;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBooleanProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.context.annotation.Import;
import org.springframework.core.env.Environment;

/**
 * The QUIC transport: a Blixard RPC server when {@code blixard.transport.mode} is quic or dual, a
 * connection pool for the node's own calls to peers over QUIC, and Raft over QUIC when {@code
 * blixard.transport.strategy.raft-transport} is always-quic.
 */
@AutoConfiguration(
    after = {
      TransportAutoConfiguration.class,
      RpcAutoConfiguration.class,
      MigrationAutoConfiguration.class
    })
@EnableConfigurationProperties({
  QuicTransportProperties.class,
  QuicRaftRouterProperties.class,
  QuicRaftShareProperties.class
})
public class QuicTransportAutoConfiguration {

  static final String ROUTER_ENABLED = "blixard.transport.quic.raft-router.enabled";

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  QuicConnectionPool quicConnectionPool(
      QuicTransportProperties properties, NodeIdentity identity, MeterRegistry meterRegistry) {
    return new QuicConnectionPool(QuicClientSettings.from(properties), identity, meterRegistry);
  }

  /** The strategy key that puts Raft on QUIC, as the Raft configuration's condition reads it. */
  static final String RAFT_TRANSPORT_PROPERTY = "blixard.transport.strategy.raft-transport";

  /**
   * A quic-mode node listens on no TCP port but HTTP: Raft on Ratis's gRPC transport would open the
   * Raft port, so quic mode needs Raft over QUIC and says so rather than choosing it silently (the
   * cluster's strategy, which every member shows, would still say always-grpc).
   */
  static void refuseRaftOnGrpcInQuicMode(TransportProperties transport, Environment environment) {
    String raft = environment.getProperty(RAFT_TRANSPORT_PROPERTY, "always-grpc");
    // Compared as the condition compares it, so that the two never disagree.
    if (transport.mode() == TransportMode.QUIC && !raft.equalsIgnoreCase("always-quic")) {
      throw new IllegalStateException(
          "blixard.transport.mode=quic has no gRPC listener for Raft, but "
              + RAFT_TRANSPORT_PROPERTY
              + " is "
              + raft
              + " (expected: always-quic)");
    }
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
        TransportProperties transport,
        Environment environment,
        QuicRaftShareProperties raftShare,
        ObjectProvider<QuicRaftEndpoint> raft) {
      refuseRaftOnGrpcInQuicMode(transport, environment);
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
          new QuicMetrics(meterRegistry, "server"),
          raftShare(raftShare, raft));
    }

    /**
     * Raft's share of the limits, for the certificates Raft takes calls from; none on a node whose
     * Raft does not run over QUIC (the endpoint is there with Raft over QUIC or the router).
     */
    private static RaftShare raftShare(
        QuicRaftShareProperties limits, ObjectProvider<QuicRaftEndpoint> raft) {
      if (raft.getIfAvailable() == null) {
        return RaftShare.none();
      }
      QuicRaftEndpoint endpoint = raft.getObject();
      return new RaftShare(limits, endpoint::takesRaftCallsFrom);
    }
  }

  /**
   * Raft over QUIC: the Raft engine's transport plug-in and the {@code blixard.raft.v1} service on
   * the QUIC server. Without it Raft runs on Ratis's gRPC transport, as before.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(name = RAFT_TRANSPORT_PROPERTY, havingValue = "always-quic")
  @ConditionalOnBooleanProperty(name = ROUTER_ENABLED, havingValue = false, matchIfMissing = true)
  @Import(QuicRaftServiceBeans.class)
  static class QuicRaftConfiguration {

    @Bean
    @ConditionalOnMissingBean
    QuicRaftTransport quicRaftTransport(
        QuicRaftEndpoint endpoint,
        ObjectProvider<QuicRpcServer> server,
        QuicTransportProperties properties,
        TransportProperties transport) {
      if (!transport.mode().serves(Transport.QUIC)) {
        throw new IllegalStateException(
            "blixard.transport.strategy.raft-transport=always-quic needs the QUIC listener, but"
                + " blixard.transport.mode is "
                + transport.mode().name().toLowerCase(java.util.Locale.ROOT)
                + " (expected: quic or dual)");
      }
      return new QuicRaftTransport(endpoint, server::getIfAvailable, properties.maxFrameSize());
    }
  }

  /**
   * The Raft router (dual mode, {@code blixard.transport.quic.raft-router.enabled}): Raft on
   * Ratis's gRPC Raft port and on the QUIC listener, each peer's calls over the transport the
   * current strategy names, with fallback. It takes the place of Raft over QUIC alone whatever
   * {@code raft-transport} the node starts with.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnBooleanProperty(ROUTER_ENABLED)
  @Import(QuicRaftServiceBeans.class)
  static class RaftRouterConfiguration {

    @Bean
    @ConditionalOnMissingBean
    RaftRouting raftRouting(
        MigrationStrategyHolder strategies,
        QuicRaftEndpoint endpoint,
        QuicRaftRouterProperties router,
        MeterRegistry meterRegistry) {
      return new RaftRouting(
          () -> strategies.strategy().raftTransport(),
          endpoint::quicAddress,
          router.probeInterval(),
          Clock.systemUTC(),
          meterRegistry);
    }

    @Bean
    @ConditionalOnMissingBean
    RaftRouterTransport raftRouterTransport(
        QuicRaftEndpoint endpoint,
        RaftRouting routing,
        ObjectProvider<QuicRpcServer> server,
        QuicTransportProperties properties,
        TransportProperties transport) {
      if (transport.mode() != TransportMode.DUAL) {
        throw new IllegalStateException(
            ROUTER_ENABLED
                + "=true needs both listeners, but blixard.transport.mode is "
                + transport.mode().name().toLowerCase(java.util.Locale.ROOT)
                + " (expected: dual)");
      }
      return new RaftRouterTransport(
          new QuicRaftTransport(endpoint, server::getIfAvailable, properties.maxFrameSize()),
          routing);
    }
  }
}
