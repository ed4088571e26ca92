package io.blixard.peers;

import io.blixard.node.NodeAddress;
import io.blixard.rpc.RpcClientObservations;
import io.blixard.rpc.TransportFigures;
import io.blixard.transport.ChannelFactory;
import io.blixard.transport.Transport;
import io.grpc.Channel;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.micrometer.observation.ObservationRegistry;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@link PeerChannels} over the transports' channel factories: {@code host:grpcPort} goes to the
 * gRPC factory (plaintext or TLS as this node's own gRPC listener speaks), {@code
 * NODEID@host:quicPort} to the QUIC factory, pinned to that node id; every call is observed as a
 * client call over its transport, and counted in the node's {@link TransportFigures} as the client
 * side when it is given them. The factories share one channel per address and belong to the node,
 * which closes them after this.
 */
public class DefaultPeerChannels implements PeerChannels {

  private final ChannelFactory grpc;
  private final ChannelFactory quic;
  private final ClientInterceptor[] overGrpc;
  private final ClientInterceptor[] overQuic;
  // The factory's channel to an address, observed: still one channel per address.
  private final Map<Channel, Channel> observed = new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * Channels whose calls are not observed.
   *
   * @param grpc channels to {@code host:grpcPort}
   * @param quic channels to {@code NODEID@host:quicPort}, or null where this node has no QUIC
   *     client
   */
  public DefaultPeerChannels(ChannelFactory grpc, ChannelFactory quic) {
    this(grpc, quic, ObservationRegistry.NOOP, null);
  }

  /**
   * @param grpc channels to {@code host:grpcPort}
   * @param quic channels to {@code NODEID@host:quicPort}, or null where this node has no QUIC
   *     client
   * @param observations where every call to a peer is observed: with a tracer in it, a client span
   *     tagged with its transport, whose context the call carries to the peer
   * @param figures where every call is counted as the client side, or null for nowhere
   */
  public DefaultPeerChannels(
      ChannelFactory grpc,
      ChannelFactory quic,
      ObservationRegistry observations,
      TransportFigures figures) {
    this.grpc = Objects.requireNonNull(grpc, "grpc");
    this.quic = quic;
    this.overGrpc = interceptors(observations, figures, Transport.GRPC);
    this.overQuic = interceptors(observations, figures, Transport.QUIC);
  }

  /** Counted innermost, observed outermost: the span covers the whole call. */
  private static ClientInterceptor[] interceptors(
      ObservationRegistry observations, TransportFigures figures, Transport transport) {
    ClientInterceptor observation = RpcClientObservations.interceptor(observations, transport);
    return figures == null
        ? new ClientInterceptor[] {observation}
        : new ClientInterceptor[] {figures.clientInterceptor(transport), observation};
  }

  @Override
  public Channel channel(NodeAddress address) {
    if (closed) {
      throw new IllegalStateException("peer channels are closed (the node is stopping)");
    }
    if (!address.pinned()) {
      return observed(grpc.channel(address), overGrpc);
    }
    if (quic == null) {
      throw new IllegalArgumentException(
          "member address "
              + address
              + ": QUIC member addresses need a QUIC client, which this node has not"
              + " (expected: host:grpcPort)");
    }
    return observed(quic.channel(address), overQuic);
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
    return observed(grpc.channel(pinned), overGrpc);
  }

  private Channel observed(Channel channel, ClientInterceptor[] interceptors) {
    return observed.computeIfAbsent(channel, c -> ClientInterceptors.intercept(c, interceptors));
  }

  @Override
  public void close() {
    closed = true;
    observed.clear();
  }
}
