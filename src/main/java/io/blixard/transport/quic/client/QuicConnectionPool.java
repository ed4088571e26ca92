package io.blixard.transport.quic.client;

import io.blixard.node.NodeAddress;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.security.NodeIdTrustManager;
import io.blixard.transport.ChannelFactory;
import io.blixard.transport.Transport;
import io.blixard.transport.quic.QuicMetrics;
import io.blixard.transport.quic.QuicSockets;
import io.blixard.transport.quic.QuicTls;
import io.blixard.transport.quic.QuicTransportProperties;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicChannelOption;
import io.netty.incubator.codec.quic.QuicClientCodecBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.Comparator;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * QUIC connections to nodes, one per target, shared by every call to it: opened on first use,
 * opened again after loss, kept alive while in use, closed after a spell without calls, and bounded
 * in number. It is the QUIC transport's {@link ChannelFactory}.
 */
public final class QuicConnectionPool implements ChannelFactory {

  private final QuicClientSettings settings;
  private final NodeIdentity identity;
  private final QuicMetrics metrics;
  private final MeterRegistry registry;
  private final EventLoopGroup group;
  private final ExecutorService callbacks;
  private final Map<NodeAddress, CompletableFuture<QuicConnection>> connections =
      new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param identity the certificate presented to servers that want client authentication, or null
   *     for an anonymous client
   */
  public QuicConnectionPool(
      QuicClientSettings settings, NodeIdentity identity, MeterRegistry registry) {
    this.settings = settings;
    this.identity = identity;
    this.registry = registry;
    this.metrics = new QuicMetrics(registry, "client");
    this.group = QuicSockets.group(1, "blixard-quic-client");
    this.callbacks =
        Executors.newCachedThreadPool(new DefaultThreadFactory("blixard-quic-callback", true));
    long sweep = Math.max(100, Math.min(1000, settings.idleEviction().toMillis() / 2));
    group.scheduleAtFixedRate(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
  }

  @Override
  public Transport transport() {
    return Transport.QUIC;
  }

  /** A channel for the generated stubs, whose calls go over the pooled connection to target. */
  @Override
  public QuicRpcChannel channel(NodeAddress target) {
    return new QuicRpcChannel(this, target);
  }

  /** Same as {@code channel(NodeAddress.parse("QUIC address", address))}. */
  public QuicRpcChannel channel(String address) {
    return channel(NodeAddress.parse("QUIC address", address));
  }

  QuicClientSettings settings() {
    return settings;
  }

  MeterRegistry registry() {
    return registry;
  }

  QuicMetrics metrics() {
    return metrics;
  }

  ExecutorService callbackExecutor() {
    return callbacks;
  }

  java.util.concurrent.ScheduledExecutorService callbackScheduler() {
    return group;
  }

  /**
   * The connection to target, opened if there is none. Fails with a {@link
   * io.grpc.StatusRuntimeException} UNAVAILABLE that says why the node could not be reached.
   */
  CompletableFuture<QuicConnection> connection(NodeAddress target) {
    if (closed) {
      return CompletableFuture.failedFuture(
          Status.UNAVAILABLE.withDescription("the QUIC client is closed").asRuntimeException());
    }
    CompletableFuture<QuicConnection> existing = connections.get(target);
    if (existing != null
        && (!existing.isDone()
            || (!existing.isCompletedExceptionally() && existing.join().isActive()))) {
      return existing;
    }
    CompletableFuture<QuicConnection> fresh = new CompletableFuture<>();
    CompletableFuture<QuicConnection> winner =
        existing == null
            ? connections.putIfAbsent(target, fresh)
            : (connections.replace(target, existing, fresh) ? null : connections.get(target));
    if (winner != null) {
      return winner;
    }
    makeRoom();
    connect(target, fresh);
    return fresh;
  }

  /** The node id the connection to target saw, if it is connected. */
  public java.util.Optional<NodeId> connectedNode(NodeAddress target) {
    CompletableFuture<QuicConnection> f = connections.get(target);
    if (f == null || !f.isDone() || f.isCompletedExceptionally()) {
      return java.util.Optional.empty();
    }
    return java.util.Optional.of(f.join().peer());
  }

  /** Connections currently open. */
  public int size() {
    return (int)
        connections.values().stream()
            .filter(f -> f.isDone() && !f.isCompletedExceptionally() && f.join().isActive())
            .count();
  }

  private void connect(NodeAddress target, CompletableFuture<QuicConnection> result) {
    NodeIdTrustManager trust =
        target.nodeId().map(NodeIdTrustManager::pinned).orElseGet(NodeIdTrustManager::recording);
    ChannelHandler codec;
    try {
      codec =
          new QuicClientCodecBuilder()
              .sslContext(QuicTls.client(trust, identity, settings.alpn()))
              .maxIdleTimeout(settings.idleTimeout().toMillis(), TimeUnit.MILLISECONDS)
              .initialMaxData(settings.connectionWindow())
              .initialMaxStreamDataBidirectionalLocal(settings.streamWindow())
              .initialMaxStreamDataBidirectionalRemote(settings.streamWindow())
              .initialMaxStreamsBidirectional(0)
              .initialMaxStreamsUnidirectional(0)
              .build();
    } catch (RuntimeException e) {
      fail(target, result, "cannot set up TLS: " + e.getMessage(), e);
      return;
    }
    InetSocketAddress remote = new InetSocketAddress(target.host(), target.port());
    if (remote.isUnresolved()) {
      fail(target, result, "cannot resolve host " + target.host(), null);
      return;
    }
    // A connected UDP socket hears the ICMP "port unreachable" of a host with no QUIC listener,
    // so such a connect fails at once instead of waiting out the handshake timeout.
    new Bootstrap()
        .group(group)
        .channel(QuicSockets.datagramChannel())
        .option(ChannelOption.SO_RCVBUF, QuicTransportProperties.UDP_BUFFER_BYTES)
        .option(ChannelOption.SO_SNDBUF, QuicTransportProperties.UDP_BUFFER_BYTES)
        .handler(
            new io.netty.channel.ChannelInitializer<DatagramChannel>() {
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
              Channel datagram = ((io.netty.channel.ChannelFuture) bound).channel();
              QuicChannel.newBootstrap(datagram)
                  .handler(new ConnectionEvents())
                  .option(
                      QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR,
                      QuicSockets.segmentedAllocator())
                  .remoteAddress(remote)
                  .option(
                      io.netty.channel.ChannelOption.CONNECT_TIMEOUT_MILLIS,
                      (int) settings.connectTimeout().toMillis())
                  .connect()
                  .addListener(
                      connected -> {
                        if (!connected.isSuccess()) {
                          datagram.close();
                          Throwable cause = connected.cause();
                          if (isHandshakeFailure(cause)) {
                            metrics.handshakeFailed();
                          }
                          fail(
                              target,
                              result,
                              trust.rejection().orElseGet(() -> describe(cause)),
                              cause);
                          return;
                        }
                        QuicChannel quic = (QuicChannel) connected.getNow();
                        NodeId peer =
                            trust
                                .seen()
                                .orElseGet(
                                    () ->
                                        io.blixard.transport.quic.QuicAttributes.peerNodeId(
                                                quic.sslEngine())
                                            .orElse(null));
                        QuicConnection connection =
                            new QuicConnection(quic, datagram, peer, settings.maxFrameSize());
                        quic.closeFuture().addListener(c -> connections.remove(target, result));
                        if (closed) {
                          quic.close();
                        }
                        result.complete(connection);
                      });
            });
  }

  private void fail(
      NodeAddress target,
      CompletableFuture<QuicConnection> result,
      String reason,
      Throwable cause) {
    connections.remove(target, result);
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
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    String message =
        root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    if (root instanceof io.netty.channel.ConnectTimeoutException
        || cause instanceof io.netty.channel.ConnectTimeoutException) {
      return "no answer within the connect timeout (" + message + ")";
    }
    return message;
  }

  private void makeRoom() {
    while (connections.size() > settings.maxConnections()) {
      var idlest =
          connections.entrySet().stream()
              .filter(e -> e.getValue().isDone() && !e.getValue().isCompletedExceptionally())
              .filter(e -> e.getValue().join().calls() == 0)
              .max(Comparator.comparingLong(e -> e.getValue().join().idleNanos()));
      if (idlest.isEmpty()) {
        return;
      }
      connections.remove(idlest.get().getKey(), idlest.get().getValue());
      idlest.get().getValue().join().close();
    }
  }

  private void sweep() {
    makeRoom();
    long evictNanos = settings.idleEviction().toNanos();
    long keepAliveNanos = settings.keepAliveInterval().toNanos();
    for (var entry : connections.entrySet()) {
      CompletableFuture<QuicConnection> f = entry.getValue();
      if (!f.isDone() || f.isCompletedExceptionally()) {
        continue;
      }
      QuicConnection connection = f.join();
      long idle = connection.idleNanos();
      if (idle >= evictNanos) {
        connections.remove(entry.getKey(), f);
        connection.close();
      } else if (keepAliveNanos > 0 && idle >= keepAliveNanos) {
        connection.keepAlive(keepAliveNanos, settings.connectTimeout().toMillis());
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    connections.values().forEach(f -> f.thenAccept(QuicConnection::close));
    connections.clear();
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    callbacks.shutdownNow();
  }

  /** Fails a connect whose UDP packets come back as ICMP port unreachable. */
  private final class PortUnreachable extends io.netty.channel.ChannelInboundHandlerAdapter {

    private final NodeAddress target;
    private final CompletableFuture<QuicConnection> result;

    PortUnreachable(NodeAddress target, CompletableFuture<QuicConnection> result) {
      this.target = target;
      this.result = result;
    }

    @Override
    public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof java.net.PortUnreachableException && !result.isDone()) {
        fail(
            target,
            result,
            "nothing listens on UDP port " + target.port() + " (ICMP port unreachable)",
            cause);
        ctx.channel().close();
        return;
      }
      ctx.fireExceptionCaught(cause);
    }
  }

  /** Counts the pool's connections as they open and close. */
  private final class ConnectionEvents extends io.netty.channel.ChannelInboundHandlerAdapter {

    @Override
    public void channelActive(io.netty.channel.ChannelHandlerContext ctx) {
      metrics.connectionOpened();
      ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(io.netty.channel.ChannelHandlerContext ctx) {
      metrics.connectionClosed();
      ctx.fireChannelInactive();
    }
  }
}
