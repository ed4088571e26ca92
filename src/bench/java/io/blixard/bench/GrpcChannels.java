package io.blixard.bench;

import io.blixard.node.NodeAddress;
import io.blixard.node.NodeId;
import io.blixard.transport.grpc.GrpcChannelFactory;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import java.util.concurrent.TimeUnit;

/**
 * gRPC channels to a node through the node's own {@link GrpcChannelFactory}, plaintext or TLS
 * pinned to its node id; each on its own HTTP/2 connection, with gRPC's default callback executor
 * (as the QUIC target has its pool's).
 */
public final class GrpcChannels implements RpcTarget.Channels {

  private final GrpcChannelFactory factory;
  private final NodeAddress address;

  private GrpcChannels(GrpcChannelFactory factory, NodeAddress address) {
    this.factory = factory.withMaxInboundMessageSize(8 * 1024 * 1024);
    this.address = address;
  }

  public static GrpcChannels plaintext(String host, int port) {
    return new GrpcChannels(GrpcChannelFactory.plaintext(), NodeAddress.of(host, port));
  }

  /** TLS pinned to {@code nodeId}, presenting {@code identity}'s certificate (an operator's). */
  public static GrpcChannels tls(
      String host, int port, NodeId nodeId, io.blixard.node.NodeIdentity identity) {
    return new GrpcChannels(GrpcChannelFactory.tls(identity), NodeAddress.of(nodeId, host, port));
  }

  @Override
  public Channel open() {
    return factory.newChannel(address);
  }

  @Override
  public void close(Channel channel) {
    ManagedChannel managed = (ManagedChannel) channel;
    managed.shutdownNow();
    try {
      managed.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
