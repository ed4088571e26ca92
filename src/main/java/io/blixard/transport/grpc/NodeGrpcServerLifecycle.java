package io.blixard.transport.grpc;

import io.blixard.node.ListenerBindException;
import java.io.IOException;
import java.time.Duration;
import org.springframework.context.ApplicationEventPublisher;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

/**
 * The starter's server lifecycle, with a failed bind told as the setting to change ({@link
 * ListenerBindException}) instead of the starter's "Failed to start the grpc server".
 */
public class NodeGrpcServerLifecycle extends GrpcServerLifecycle {

  private final NodeGrpcServerFactory factory;

  public NodeGrpcServerLifecycle(
      NodeGrpcServerFactory factory,
      Duration shutdownGracePeriod,
      ApplicationEventPublisher eventPublisher) {
    super(factory, shutdownGracePeriod, eventPublisher);
    this.factory = factory;
  }

  @Override
  protected void createAndStartGrpcServer() {
    try {
      super.createAndStartGrpcServer();
    } catch (IOException e) {
      // grpc-java's Server.start() throws IOException only when it cannot bind its address.
      stopAndReleaseGrpcServer();
      throw new ListenerBindException(
          "blixard.transport.grpc.port",
          "blixard.transport.grpc.bind-address",
          ListenerBindException.Protocol.TCP,
          factory.bindAddress(),
          e);
    }
  }
}
