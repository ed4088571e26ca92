package io.blixard.transport.grpc;

import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeIdentity;
import io.blixard.rpc.RpcAutoConfiguration;
import io.blixard.rpc.ServerInterceptorChain;
import io.blixard.rpc.ServiceCatalogue;
import io.blixard.rpc.UndecodableRequests;
import io.blixard.security.SecurityProperties;
import io.blixard.transport.ConditionalOnTransport;
import io.blixard.transport.Transport;
import io.blixard.transport.TransportAutoConfiguration;
import io.grpc.BindableService;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.protobuf.services.ProtoReflectionService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.grpc.ObservationGrpcServerInterceptor;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.context.properties.source.ConfigurationPropertyName;
import org.springframework.boot.context.properties.source.ConfigurationPropertySource;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.ConfigurationPropertyState;
import org.springframework.boot.util.LambdaSafe;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.grpc.autoconfigure.server.GrpcServerFactoryAutoConfiguration;
import org.springframework.grpc.autoconfigure.server.GrpcServerReflectionAutoConfiguration;
import org.springframework.grpc.server.GrpcServerFactory;
import org.springframework.grpc.server.ServerBuilderCustomizer;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;
import org.springframework.grpc.server.service.GrpcServiceConfigurer;
import org.springframework.grpc.server.service.GrpcServiceDiscoverer;

/**
 * The gRPC transport on the gRPC starter (Spring gRPC): the starter discovers every {@link
 * BindableService} bean and runs the server; this configuration gives it the node's factory (bind
 * address, TLS 1.3 with the node's certificate, {@code blixard.transport.grpc.*}), wraps every
 * service in the {@link ServerInterceptorChain} both transports share, adds reflection v1alpha
 * beside the starter's v1, answers requests that do not parse as QUIC does ({@link
 * UndecodableRequestGuard}), and switches the listener on when {@code blixard.transport.mode} is
 * grpc or dual.
 *
 * <p>The factory exists in every mode: it is only a recipe, and its presence keeps the starter from
 * making its own. What the mode switches is the listener, the starter's {@link
 * GrpcServerLifecycle}.
 */
@AutoConfiguration(
    before = {
      GrpcServerFactoryAutoConfiguration.class,
      GrpcServerReflectionAutoConfiguration.class
    },
    after = {TransportAutoConfiguration.class, RpcAutoConfiguration.class})
@EnableConfigurationProperties(GrpcTransportProperties.class)
public class GrpcTransportAutoConfiguration {

  /**
   * Secure mode authorizes every call by the caller's certificate: a listener without TLS, or one
   * that never asks for a certificate, would leave no identity to decide by.
   */
  static void refusePlaintextWhenSecure(
      GrpcTransportProperties properties, Environment environment) {
    if (!SecurityProperties.secure(environment)) {
      return;
    }
    if (!properties.tls().enabled()) {
      throw new IllegalStateException(
          "blixard.transport.grpc.tls.enabled=false: plaintext gRPC is only allowed with"
              + " blixard.security.mode=insecure (expected: true in secure mode)");
    }
    if (properties.tls().clientAuth() == GrpcTransportProperties.ClientAuth.NONE) {
      throw new IllegalStateException(
          "blixard.transport.grpc.tls.client-auth=none: secure mode authorizes calls by the"
              + " caller's certificate (expected: optional or require, or"
              + " blixard.security.mode=insecure)");
    }
  }

  @Bean
  @ConditionalOnMissingBean(GrpcServerFactory.class)
  NodeGrpcServerFactory nodeGrpcServerFactory(
      GrpcTransportProperties properties,
      ObjectProvider<NodeIdentity> identity,
      GrpcServiceDiscoverer discoverer,
      GrpcServiceConfigurer configurer,
      ServerInterceptorChain chain,
      ObjectProvider<ServerBuilderCustomizer<?>> customizers,
      ObjectProvider<MeterRegistry> meters,
      Environment environment) {
    refuseStarterKeysNotRead(environment);
    refusePlaintextWhenSecure(properties, environment);
    SslContext tls = null;
    if (properties.tls().enabled()) {
      NodeIdentity node = identity.getIfAvailable();
      if (node == null) {
        throw new IllegalStateException(
            "blixard.transport.grpc.tls.enabled is true but the node has no identity"
                + " (expected: a NodeIdentity bean with the key and certificate to serve)");
      }
      tls = GrpcTls.serverContext(node, properties.tls().clientAuth());
    }
    List<ServerBuilderCustomizer<NettyServerBuilder>> builderCustomizers = new ArrayList<>();
    builderCustomizers.add(
        builder ->
            builder
                .maxInboundMessageSize((int) properties.maxInboundMessageSize().toBytes())
                .maxConcurrentCallsPerConnection(properties.maxConcurrentCallsPerConnection()));
    List<ServerBuilderCustomizer<?>> others = customizers.orderedStream().toList();
    builderCustomizers.add(
        builder ->
            LambdaSafe.callbacks(ServerBuilderCustomizer.class, others, builder)
                .withLogger(GrpcTransportAutoConfiguration.class)
                .invoke(customizer -> customizer.customize(builder)));
    NodeGrpcServerFactory factory =
        new NodeGrpcServerFactory(
            new InetSocketAddress(properties.bindAddress(), properties.port()),
            tls,
            new GrpcConnectionLimit(
                properties.maxConnections(),
                properties.maxConnectionsPerSource(),
                meters.getIfAvailable(SimpleMeterRegistry::new)),
            builderCustomizers);
    // The chain measures every call (on both transports); the starter's own observation
    // interceptor would measure gRPC calls a second time.
    factory.setInterceptorFilter(
        (interceptor, service) -> !(interceptor instanceof ObservationGrpcServerInterceptor));
    factory.setServiceFilter(
        (service, f) ->
            properties.reflection()
                || !ServiceCatalogue.isReflection(service.getServiceDescriptor().getName()));
    // Requests are parsed outside the chain, where a message that does not parse can be answered
    // INVALID_ARGUMENT (grpc-java would answer UNKNOWN and log a stack trace per call); the chain
    // and the services see typed messages.
    UndecodableRequests undecodable = new UndecodableRequests(Transport.GRPC);
    discoverer.findServices().stream()
        .map(spec -> configurer.configure(spec, factory))
        .map(definition -> chain.intercept(definition, Transport.GRPC))
        .map(definition -> UndecodableRequestGuard.guard(definition, undecodable))
        .forEach(factory::addService);
    return factory;
  }

  /**
   * The starter's own server keys that the node's factory replaces, with the key to use instead (an
   * empty one: the node has no such setting yet).
   */
  static final Map<String, String> STARTER_KEYS_NOT_READ =
      Map.of(
          "port", "blixard.transport.grpc.port",
          "host", "blixard.transport.grpc.bind-address",
          "address", "blixard.transport.grpc.bind-address and port",
          "ssl", "blixard.transport.grpc.tls.*",
          "shutdown-grace-period", "blixard.transport.grpc.shutdown-grace-period",
          "max-inbound-message-size", "blixard.transport.grpc.max-inbound-message-size",
          "max-inbound-metadata-size", "",
          "keep-alive", "");

  /** A starter key the node would not read stops start-up rather than being ignored. */
  private static void refuseStarterKeysNotRead(Environment environment) {
    for (ConfigurationPropertySource source : ConfigurationPropertySources.get(environment)) {
      STARTER_KEYS_NOT_READ.keySet().stream()
          .sorted()
          .filter(
              key -> {
                ConfigurationPropertyName name =
                    ConfigurationPropertyName.of("spring.grpc.server." + key);
                return source.getConfigurationProperty(name) != null
                    || source.containsDescendantOf(name) == ConfigurationPropertyState.PRESENT;
              })
          .findFirst()
          .ifPresent(
              key -> {
                String instead = STARTER_KEYS_NOT_READ.get(key);
                throw new IllegalStateException(
                    "spring.grpc.server."
                        + key
                        + " is not read by the node's gRPC server (expected: "
                        + (instead.isEmpty() ? "unset, the node has no such setting" : instead)
                        + "; see docs/configuration-grpc.md)");
              });
    }
  }

  /** Reflection v1alpha, which many tools still speak, beside the starter's v1. */
  @Bean
  @ConditionalOnProperty(
      name = "spring.grpc.server.reflection.enabled",
      havingValue = "true",
      matchIfMissing = true)
  @ConditionalOnTransport(Transport.GRPC)
  @SuppressWarnings("deprecation") // v1alpha is deprecated upstream in favour of v1, not removed
  BindableService serverReflectionV1Alpha() {
    return ProtoReflectionService.newInstance();
  }

  /** The listener, switched on by the mode. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnTransport(Transport.GRPC)
  static class GrpcServerConfiguration {

    @Bean
    @ConditionalOnMissingBean(name = "nodeGrpcServerLifecycle")
    GrpcServerLifecycle nodeGrpcServerLifecycle(
        NodeGrpcServerFactory factory,
        GrpcTransportProperties properties,
        ApplicationEventPublisher events) {
      return new NodeGrpcServerLifecycle(factory, properties.shutdownGracePeriod(), events);
    }

    @Bean
    @ConditionalOnMissingBean
    GrpcListener grpcListener(
        GrpcServerLifecycle nodeGrpcServerLifecycle,
        NodeGrpcServerFactory factory,
        NodeEndpoints endpoints) {
      return new GrpcListener(nodeGrpcServerLifecycle, factory, endpoints);
    }
  }
}
