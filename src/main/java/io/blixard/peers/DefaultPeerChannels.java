package io.blixard.peers;

import io.blixard.node.NodeAddress;
import io.blixard.rpc.TransportFigures;
import io.blixard.transport.ChannelFactory;
import io.blixard.transport.Transport;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import java.util.Objects;

/**
 * {@link PeerChannels} over the transports' channel factories: {@code host:grpcPort} goes to the
 * gRPC factory (plaintext or TLS as this node's own gRPC listener speaks), {@code
 * NODEID@host:quicPort} to the QUIC factory, pinned to that node id. The factories share one
 * channel per address and belong to the node, which closes them after this. Every call is counted
 * in the node's {@link TransportFigures} as the client side, when it is given them.
 */
public class DefaultPeerChannels implements PeerChannels {

  private final ChannelFactory grpc;
  private final ChannelFactory quic;
  private final TransportFigures figures;
  private volatile boolean closed;

  /**
   * @param grpc channels to {@code host:grpcPort}
   * @param quic channels to {@code NODEID@host:quicPort}, or null where this node has no QUIC
   *     client
   */
  public DefaultPeerChannels(ChannelFactory grpc, ChannelFactory quic) {
    this(grpc, quic, null);
  }

  /**
   * @param figures where the calls are counted, or null for nowhere
   */
  public DefaultPeerChannels(ChannelFactory grpc, ChannelFactory quic, TransportFigures figures) {
    this.grpc = Objects.requireNonNull(grpc, "grpc");
    this.quic = quic;
    this.figures = figures;
  }

  private Channel counted(Channel channel, Transport transport) {
    return figures == null
        ? channel
        : ClientInterceptors.intercept(channel, figures.clientInterceptor(transport));
  }

  @Override
  public Channel channel(NodeAddress address) {
    if (closed) {
      throw new IllegalStateException("peer channels are closed (the node is stopping)");
    }
    if (!address.pinned()) {
      return counted(grpc.channel(address), Transport.GRPC);
    }
    if (quic == null) {
      throw new IllegalArgumentException(
          "member address "
              + address
              + ": QUIC member addresses need a QUIC client, which this node has not"
              + " (expected: host:grpcPort)");
    }
    return counted(quic.channel(address), Transport.QUIC);
  }

  @Override
  public Channel grpcChannel(NodeAddress pinned) {
    if (closed) {
      throw new IllegalStateException("peer channels are closed (the node is stopping)");
    }
    if (!pinned.pinned()) {
      throw new IllegalArgumentException(
          "member address " + pinned + " names no node id (expected: NODEID@host:grpcPort)");
    }
    return counted(grpc.channel(pinned), Transport.GRPC);
  }

  @Override
  public void close() {
    closed = true;
  }
}
