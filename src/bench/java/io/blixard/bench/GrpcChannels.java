package io.blixard.bench;

import io.blixard.node.NodeId;
import io.blixard.security.NodeIdTrustManager;
import io.blixard.transport.grpc.GrpcTls;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;

/**
 * gRPC channels to a node, plaintext or TLS pinned to its node id; each on its own HTTP/2
 * connection, with gRPC's default callback executor (as the QUIC target has its pool's).
 */
public final class GrpcChannels implements RpcTarget.Channels {

  private final String host;
  private final int port;
  private final NodeId tlsNodeId;

  private GrpcChannels(String host, int port, NodeId tlsNodeId) {
    this.host = host;
    this.port = port;
    this.tlsNodeId = tlsNodeId;
  }

  public static GrpcChannels plaintext(String host, int port) {
    return new GrpcChannels(host, port, null);
  }

  public static GrpcChannels tls(String host, int port, NodeId nodeId) {
    return new GrpcChannels(host, port, nodeId);
  }

  @Override
  public Channel open() {
    NettyChannelBuilder builder =
        NettyChannelBuilder.forAddress(host, port).maxInboundMessageSize(8 * 1024 * 1024);
    if (tlsNodeId == null) {
      builder.usePlaintext();
    } else {
      builder
          .sslContext(GrpcTls.clientContext(NodeIdTrustManager.pinned(tlsNodeId)))
          .overrideAuthority(tlsNodeId.value() + ".blixard");
    }
    return builder.build();
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
