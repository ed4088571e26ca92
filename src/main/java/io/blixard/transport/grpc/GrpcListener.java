package io.blixard.transport.grpc;

import io.blixard.node.NodeEndpoints;
import io.blixard.transport.Transport;
import io.blixard.transport.TransportListener;
import java.net.InetSocketAddress;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.ApplicationListener;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycleEvent;
import org.springframework.grpc.server.lifecycle.GrpcServerShutdownEvent;
import org.springframework.grpc.server.lifecycle.GrpcServerStartedEvent;

/**
 * The gRPC listener as the node sees it: follows the starter's server lifecycle events, publishes
 * the bound port to {@link NodeEndpoints} and reports the address to the transports health.
 */
public class GrpcListener
    implements TransportListener, ApplicationListener<GrpcServerLifecycleEvent> {

  private static final Logger log = LoggerFactory.getLogger(GrpcListener.class);

  private final GrpcServerLifecycle lifecycle;
  private final NodeGrpcServerFactory factory;
  private final NodeEndpoints endpoints;
  private volatile InetSocketAddress bound;

  public GrpcListener(
      GrpcServerLifecycle lifecycle, NodeGrpcServerFactory factory, NodeEndpoints endpoints) {
    this.lifecycle = lifecycle;
    this.factory = factory;
    this.endpoints = endpoints;
  }

  @Override
  public void onApplicationEvent(GrpcServerLifecycleEvent event) {
    if (event.getSource() != lifecycle) {
      return; // another server of the starter (an in-process one, say)
    }
    if (event instanceof GrpcServerStartedEvent started) {
      bound = new InetSocketAddress(factory.bindAddress().getHostString(), started.getPort());
      endpoints.publish(NodeEndpoints.Kind.GRPC, started.getPort());
      log.info(
          "gRPC server listening on {}:{} ({})",
          bound.getHostString(),
          bound.getPort(),
          factory.tls() ? "TLS 1.3, node certificate" : "plaintext");
    } else if (event instanceof GrpcServerShutdownEvent) {
      endpoints.withdraw(NodeEndpoints.Kind.GRPC);
      bound = null;
    }
  }

  @Override
  public Transport transport() {
    return Transport.GRPC;
  }

  @Override
  public Optional<InetSocketAddress> localAddress() {
    return Optional.ofNullable(bound);
  }

  /** The bound port, or -1 when not running. */
  public int port() {
    InetSocketAddress current = bound;
    return current == null ? -1 : current.getPort();
  }

  /** Whether the server speaks TLS. */
  public boolean tls() {
    return factory.tls();
  }
}
