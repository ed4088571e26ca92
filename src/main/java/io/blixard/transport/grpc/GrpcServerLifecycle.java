package io.blixard.transport.grpc;

import io.blixard.migration.MigrationStrategyHolder;
import io.blixard.migration.ServedOnInterceptor;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeIdentity;
import io.blixard.rpc.RpcServerMetricsInterceptor;
import io.blixard.rpc.ServiceCatalogue;
import io.blixard.transport.Transport;
import io.blixard.transport.TransportListener;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/** The gRPC server: every service of the catalogue, plus reflection, on one TCP port. */
public class GrpcServerLifecycle implements SmartLifecycle, TransportListener {

  private static final Logger log = LoggerFactory.getLogger(GrpcServerLifecycle.class);

  private final GrpcTransportProperties properties;
  private final ServiceCatalogue catalogue;
  private final MeterRegistry meterRegistry;
  private final NodeEndpoints endpoints;
  private final MigrationStrategyHolder strategies;
  private final NodeIdentity identity;
  private volatile Server server;

  public GrpcServerLifecycle(
      GrpcTransportProperties properties,
      ServiceCatalogue catalogue,
      MeterRegistry meterRegistry,
      NodeEndpoints endpoints,
      MigrationStrategyHolder strategies,
      NodeIdentity identity) {
    if (properties.tls().enabled() && identity == null) {
      throw new IllegalStateException(
          "blixard.transport.grpc.tls.enabled is true but the node has no identity"
              + " (expected: a NodeIdentity bean with the key and certificate to serve)");
    }
    this.identity = identity;
    this.strategies = strategies;
    this.properties = properties;
    this.catalogue = catalogue;
    this.meterRegistry = meterRegistry;
    this.endpoints = endpoints;
  }

  @Override
  public synchronized void start() {
    if (server != null) {
      return;
    }
    var metrics = new RpcServerMetricsInterceptor(meterRegistry, Transport.GRPC);
    var servedOn = new ServedOnInterceptor(strategies, Transport.GRPC);
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(
                new InetSocketAddress(properties.bindAddress(), properties.port()))
            .maxInboundMessageSize((int) properties.maxInboundMessageSize().toBytes());
    if (properties.tls().enabled()) {
      builder.sslContext(GrpcTls.serverContext(identity));
    }
    catalogue
        .definitions()
        .forEach(d -> builder.addService(ServerInterceptors.intercept(d, servedOn, metrics)));
    if (properties.reflection()) {
      builder.addService(ProtoReflectionServiceV1.newInstance());
    }
    Server started;
    try {
      started = builder.build().start();
    } catch (IOException e) {
      throw new UncheckedIOException(
          "cannot start the gRPC server on "
              + properties.bindAddress()
              + ":"
              + properties.port()
              + ": "
              + e.getMessage(),
          e);
    }
    server = started;
    endpoints.publish(NodeEndpoints.Kind.GRPC, started.getPort());
    log.info(
        "gRPC server listening on {}:{} ({}) with {} services",
        properties.bindAddress(),
        started.getPort(),
        properties.tls().enabled() ? "TLS 1.3, node certificate" : "plaintext",
        catalogue.serviceNames().size());
  }

  @Override
  public synchronized void stop() {
    Server current = server;
    if (current == null) {
      return;
    }
    endpoints.withdraw(NodeEndpoints.Kind.GRPC);
    current.shutdown();
    try {
      if (!current.awaitTermination(
          properties.shutdownGracePeriod().toMillis(), TimeUnit.MILLISECONDS)) {
        current.shutdownNow();
      }
    } catch (InterruptedException e) {
      current.shutdownNow();
      Thread.currentThread().interrupt();
    }
    server = null;
  }

  @Override
  public boolean isRunning() {
    return server != null;
  }

  @Override
  public Transport transport() {
    return Transport.GRPC;
  }

  @Override
  public Optional<InetSocketAddress> localAddress() {
    Server current = server;
    if (current == null) {
      return Optional.empty();
    }
    return Optional.of(new InetSocketAddress(properties.bindAddress(), current.getPort()));
  }

  /** Whether the server speaks TLS. */
  public boolean tls() {
    return properties.tls().enabled();
  }

  /** The bound port, or -1 when not running. */
  public int port() {
    Server current = server;
    return current == null ? -1 : current.getPort();
  }
}
