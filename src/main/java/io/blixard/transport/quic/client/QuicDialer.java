package io.blixard.transport.quic.client;

import io.blixard.node.NodeAddress;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.security.NodeIdTrustManager;
import io.blixard.transport.quic.QuicAttributes;
import io.blixard.transport.quic.QuicMetrics;
import io.blixard.transport.quic.QuicSockets;
import io.blixard.transport.quic.QuicTls;
import io.blixard.transport.quic.QuicTransportProperties;
import io.grpc.Status;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicChannelOption;
import io.netty.incubator.codec.quic.QuicClientCodecBuilder;
import io.netty.incubator.codec.quic.QuicClosedChannelException;
import io.netty.incubator.codec.quic.QuicSslContext;
import io.netty.incubator.codec.quic.QuicSslEngine;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens one QUIC connection to a target: its own UDP socket, a TLS engine of the one context every
 * dial shares, whose handshake pins the node id the target names (or records the one it meets).
 * Knows nothing of pooling.
 */
final class QuicDialer {

  private static final Logger log = LoggerFactory.getLogger(QuicDialer.class);

  private final QuicClientSettings settings;
  private final QuicMetrics metrics;
  private final EventLoopGroup group;
  private final DialTrust trust = new DialTrust();
  private final QuicSslContext tls;

  /**
   * @param identity the certificate presented to servers that want client authentication, or null
   *     for an anonymous client
   */
  QuicDialer(
      QuicClientSettings settings,
      NodeIdentity identity,
      QuicMetrics metrics,
      EventLoopGroup group) {
    this.settings = settings;
    this.metrics = metrics;
    this.group = group;
    this.tls = QuicTls.client(trust, identity, settings.alpn());
  }

  /** Handshakes under way, whose engines the shared trust manager still knows. */
  int handshakesPending() {
    return trust.pending();
  }

  /**
   * A new connection to target. Fails with a {@link io.grpc.StatusRuntimeException} UNAVAILABLE
   * that says why the node could not be reached.
   */
  CompletableFuture<QuicConnection> dial(NodeAddress target) {
    CompletableFuture<QuicConnection> result = new CompletableFuture<>();
    NodeIdTrustManager dialTrust =
        target.nodeId().map(NodeIdTrustManager::pinned).orElseGet(NodeIdTrustManager::recording);
    // The one engine of this dial: the shared context's trust manager checks its handshake with
    // this dial's trust, until the handshake is over.
    AtomicReference<SSLEngine> engine = new AtomicReference<>();
    result.whenComplete(
        (connection, error) -> {
          SSLEngine made = engine.get();
          if (made != null) {
            trust.forget(made);
          }
        });
    ChannelHandler codec;
    try {
      codec =
          new QuicClientCodecBuilder()
              .sslEngineProvider(
                  quic -> {
                    QuicSslEngine made = tls.newEngine(quic.alloc());
                    trust.register(made, dialTrust);
                    engine.set(made);
                    return made;
                  })
              .maxIdleTimeout(settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
              .initialMaxData(settings.connectionWindow())
              .initialMaxStreamDataBidirectionalLocal(settings.streamWindow())
              .initialMaxStreamDataBidirectionalRemote(settings.streamWindow())
              .initialMaxStreamsBidirectional(0)
              .initialMaxStreamsUnidirectional(0)
              .build();
    } catch (RuntimeException e) {
      return failed(target, "cannot set up TLS: " + e.getMessage(), e);
    }
    InetSocketAddress remote = new InetSocketAddress(target.host(), target.port());
    if (remote.isUnresolved()) {
      return failed(target, "cannot resolve host " + target.host(), null);
    }
    // A connected UDP socket hears the ICMP "port unreachable" of a host with no QUIC listener,
    // so such a connect fails at once instead of waiting out the handshake timeout.
    new Bootstrap()
        .group(group)
        .channel(QuicSockets.datagramChannel())
        .option(ChannelOption.SO_RCVBUF, QuicTransportProperties.UDP_BUFFER_BYTES)
        .option(ChannelOption.SO_SNDBUF, QuicTransportProperties.UDP_BUFFER_BYTES)
        .handler(
            new ChannelInitializer<DatagramChannel>() {
              @Override
              protected void initChannel(DatagramChannel ch) {
                ch.pipeline().addLast(codec, new PortUnreachable(target, result));
              }
            })
        .connect(remote)
        .addListener(
            bound -> {
              if (!bound.isSuccess()) {
                fail(target, result, "cannot open a UDP socket: " + bound.cause(), bound.cause());
                return;
              }
              handshake(target, dialTrust, remote, ((ChannelFuture) bound).channel(), result);
            });
    return result;
  }

  private void handshake(
      NodeAddress target,
      NodeIdTrustManager trust,
      InetSocketAddress remote,
      Channel datagram,
      CompletableFuture<QuicConnection> result) {
    QuicChannel.newBootstrap(datagram)
        .handler(new ConnectionEvents())
        .option(
            QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR, QuicSockets.segmentedAllocator())
        .remoteAddress(remote)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) settings.connectTimeout().toMillis())
        .connect()
        .addListener(
            connected -> {
              if (!connected.isSuccess()) {
                datagram.close();
                Throwable cause = connected.cause();
                if (isHandshakeFailure(cause)) {
                  metrics.handshakeFailed();
                }
                fail(target, result, trust.rejection().orElseGet(() -> describe(cause)), cause);
                return;
              }
              QuicChannel quic = (QuicChannel) connected.getNow();
              NodeId peer =
                  trust
                      .seen()
                      .orElseGet(() -> QuicAttributes.peerNodeId(quic.sslEngine()).orElse(null));
              if (!result.complete(
                  new QuicConnection(quic, datagram, peer, settings.maxFrameSize()))) {
                quic.close();
              }
            });
  }

  private static CompletableFuture<QuicConnection> failed(
      NodeAddress target, String reason, Throwable cause) {
    CompletableFuture<QuicConnection> result = new CompletableFuture<>();
    fail(target, result, reason, cause);
    return result;
  }

  private static void fail(
      NodeAddress target,
      CompletableFuture<QuicConnection> result,
      String reason,
      Throwable cause) {
    result.completeExceptionally(
        Status.UNAVAILABLE
            .withDescription("cannot connect over QUIC to " + target + ": " + reason)
            .withCause(cause)
            .asRuntimeException());
  }

  private static boolean isHandshakeFailure(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SSLException) {
        return true;
      }
    }
    return false;
  }

  private static String describe(Throwable cause) {
    if (cause == null) {
      return "unknown failure";
    }
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof QuicClosedChannelException closed && closed.event() != null) {
        return QuicConnection.describe(closed.event());
      }
    }
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message =
        root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    if (root instanceof ConnectTimeoutException || cause instanceof ConnectTimeoutException) {
      return "no answer within the connect timeout (" + message + ")";
    }
    return message;
  }

  /** Fails a connect whose UDP packets come back as ICMP port unreachable. */
  private static final class PortUnreachable extends ChannelInboundHandlerAdapter {

    private final NodeAddress target;
    private final CompletableFuture<QuicConnection> result;

    PortUnreachable(NodeAddress target, CompletableFuture<QuicConnection> result) {
      this.target = target;
      this.result = result;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof PortUnreachableException) {
        if (!result.isDone()) {
          fail(
              target,
              result,
              "nothing listens on UDP port " + target.port() + " (ICMP port unreachable)",
              cause);
          ctx.channel().close();
        } else {
          // On an open connection an ICMP message proves nothing (anyone can send one, and a
          // listener may be back a moment later): the keep-alive decides whether the peer is gone.
          log.debug("ICMP port unreachable from {} on an open QUIC connection", target);
        }
        return;
      }
      ctx.fireExceptionCaught(cause);
    }
  }

  /** Counts the connections as they open and close. */
  private final class ConnectionEvents extends ChannelInboundHandlerAdapter {

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      metrics.connectionOpened();
      ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      metrics.connectionClosed();
      ctx.fireChannelInactive();
    }
  }
}
