package io.blixard.transport.quic.server;

import io.blixard.node.ListenerBindException;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.rpc.ServiceCatalogue;
import io.blixard.transport.ConnectionLimits;
import io.blixard.transport.RefusalLog;
import io.blixard.transport.Transport;
import io.blixard.transport.TransportListener;
import io.blixard.transport.quic.QuicAttributes;
import io.blixard.transport.quic.QuicMetrics;
import io.blixard.transport.quic.QuicSockets;
import io.blixard.transport.quic.QuicTls;
import io.blixard.transport.quic.QuicTransportProperties;
import io.blixard.transport.quic.codec.FrameDecoder;
import io.blixard.transport.quic.codec.FrameEncoder;
import io.blixard.transport.quic.codec.InboundBudget;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicChannelOption;
import io.netty.incubator.codec.quic.QuicServerCodecBuilder;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.incubator.codec.quic.QuicTokenHandler;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

/**
 * The QUIC server: Blixard RPC v1 (docs/protocol.md) on one UDP port, serving every service of the
 * catalogue generically, each call on its own stream, handlers on their own threads.
 */
public class QuicRpcServer implements SmartLifecycle, TransportListener {

  private static final Logger log = LoggerFactory.getLogger(QuicRpcServer.class);
  private static final AttributeKey<Boolean> ACTIVE_KEY = AttributeKey.valueOf("blixard.active");
  private static final AttributeKey<InboundBudget> BUDGET_KEY =
      AttributeKey.valueOf("blixard.inbound-budget");
  // The connection's share of Raft's budget, for its members' Raft calls.
  private static final AttributeKey<InboundBudget> RAFT_BUDGET_KEY =
      AttributeKey.valueOf("blixard.raft-inbound-budget");
  // Why a connection admitted into the members' slice would have been refused, until its
  // handshake shows whether it is a member's.
  private static final AttributeKey<ConnectionLimits.Refused> PROVISIONAL_KEY =
      AttributeKey.valueOf("blixard.provisional");
  // Set while the connection holds a slot of the members' slice.
  private static final AttributeKey<Boolean> RESERVED_KEY =
      AttributeKey.valueOf("blixard.reserved");
  // The address a connection was counted under, until it is counted out.
  private static final AttributeKey<InetAddress> SOURCE_KEY =
      AttributeKey.valueOf("blixard.source");
  // QUIC's transport error for a connection the server will not take (RFC 9000 §20.1).
  private static final int CONNECTION_REFUSED = 0x2;
  private static final Duration RETRY_TOKEN_LIFETIME = Duration.ofSeconds(10);
  // How long cancelled calls get for their ERROR frames and onCancel after the grace period.
  private static final long CANCEL_FLUSH_MILLIS = 1000;

  private final QuicTransportProperties properties;
  private final NodeIdentity identity;
  private final ServiceCatalogue catalogue;
  private final List<ServerInterceptor> interceptors;
  private final NodeEndpoints endpoints;
  private final QuicMetrics metrics;
  private final InboundBudget inbound;
  private final RaftShare raft;
  private final InboundBudget raftInbound;
  private final RefusalLog refusals = new RefusalLog(log, "QUIC connections or frames");

  private final ChannelGroup connections = new DefaultChannelGroup(GlobalEventExecutor.INSTANCE);
  private OpenCalls openCalls;
  private EventLoopGroup group;
  private ExecutorService handlers;
  private ExecutorService raftHandlers;
  private volatile Channel channel;
  private int boundPort;

  /**
   * @param interceptors applied to every call, the first one first, as {@link
   *     io.grpc.ServerInterceptors#interceptForward(io.grpc.ServerServiceDefinition, List)} does
   */
  public QuicRpcServer(
      QuicTransportProperties properties,
      NodeIdentity identity,
      ServiceCatalogue catalogue,
      List<ServerInterceptor> interceptors,
      NodeEndpoints endpoints,
      QuicMetrics metrics) {
    this(properties, identity, catalogue, interceptors, endpoints, metrics, RaftShare.none());
  }

  /**
   * @param raft the share of the limits kept for members' Raft calls
   */
  public QuicRpcServer(
      QuicTransportProperties properties,
      NodeIdentity identity,
      ServiceCatalogue catalogue,
      List<ServerInterceptor> interceptors,
      NodeEndpoints endpoints,
      QuicMetrics metrics,
      RaftShare raft) {
    raft.limits().checkAgainst(properties);
    this.raft = raft;
    this.properties = properties;
    this.identity = identity;
    this.catalogue = catalogue;
    this.interceptors = List.copyOf(interceptors);
    this.endpoints = endpoints;
    this.metrics = metrics;
    this.inbound =
        InboundBudget.of(
            "blixard.transport.quic.max-inbound-bytes", properties.maxInboundBytes().toBytes());
    metrics.watch(inbound, QuicMetrics.SHARE_CLIENTS);
    this.raftInbound =
        InboundBudget.of(
            "blixard.transport.quic.raft.max-inbound-bytes",
            raft.limits().maxInboundBytes().toBytes());
    metrics.watch(raftInbound, QuicMetrics.SHARE_RAFT);
  }

  @Override
  public synchronized void start() {
    if (channel != null) {
      return;
    }
    int threads = properties.effectiveHandlerThreads();
    handlers =
        new ThreadPoolExecutor(
            threads,
            threads,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            new DefaultThreadFactory("blixard-quic-handler", true));
    int raftThreads = raft.limits().handlerThreads();
    raftHandlers =
        new ThreadPoolExecutor(
            raftThreads,
            raftThreads,
            60,
            TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(),
            new DefaultThreadFactory("blixard-quic-raft-handler", true));
    // The ALPN restriction is QUIC's own, and the outermost (first, as the chain runs forward): a
    // call its connection may not make never reaches the shared chain.
    List<ServerInterceptor> chain = new ArrayList<>();
    chain.add(new QuicAlpnInterceptor());
    chain.addAll(interceptors);
    QuicServices services = new QuicServices(catalogue, chain, handlers, raftHandlers);
    OpenCalls calls = new OpenCalls();
    openCalls = calls;
    long idleMillis = properties.idleTimeout().toMillis();
    int maxFrameSize = (int) properties.maxFrameSize().toBytes();
    long frameTimeoutMillis = properties.frameTimeout().toMillis();
    QuicTokenHandler tokens =
        properties.retry()
            ? new RetryTokens(
                Clock.systemUTC(),
                RETRY_TOKEN_LIFETIME,
                () -> {
                  metrics.connectionRefused(QuicMetrics.Refusal.INVALID_TOKEN);
                  refusals.refused(
                      "an Initial with a Retry token that is forged, expired or another address's"
                          + " (dropped)");
                })
            : null; // the library's default: no Retry
    ChannelHandler codec =
        new QuicServerCodecBuilder()
            .option(
                QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR,
                QuicSockets.segmentedAllocator())
            .sslContext(
                QuicTls.server(identity, properties.alpnProtocols(), properties.clientAuth()))
            .maxIdleTimeout(idleMillis, TimeUnit.MILLISECONDS)
            .initialMaxData(properties.connectionWindow().toBytes())
            .initialMaxStreamDataBidirectionalLocal(properties.streamWindow().toBytes())
            .initialMaxStreamDataBidirectionalRemote(properties.streamWindow().toBytes())
            .initialMaxStreamsBidirectional(properties.maxConcurrentStreams())
            .initialMaxStreamsUnidirectional(0)
            .tokenHandler(tokens)
            .handler(
                new ConnectionTracker(
                    properties, metrics, connections, inbound, raftInbound, raft, refusals))
            .streamOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
            .streamHandler(
                new ChannelInitializer<QuicStreamChannel>() {
                  @Override
                  protected void initChannel(QuicStreamChannel stream) {
                    QuicChannel connection = stream.parent();
                    InboundBudget budget = connection.attr(BUDGET_KEY).get();
                    InboundBudget raftBudget = connection.attr(RAFT_BUDGET_KEY).get();
                    if (budget == null || raftBudget == null) {
                      // A connection refused, one whose close is under way, or one in the
                      // members' slice whose handshake has not shown a member yet.
                      stream.close();
                      return;
                    }
                    StreamShare share = new StreamShare(connection, raft, budget, raftBudget);
                    stream
                        .pipeline()
                        .addLast(
                            new FrameDecoder(maxFrameSize, share, frameTimeoutMillis),
                            FrameEncoder.INSTANCE,
                            new QuicCallHandler(services, calls, metrics, idleMillis, share));
                  }
                })
            .build();
    group = QuicSockets.group(1, "blixard-quic-server");
    int port = properties.port() == 0 && boundPort != 0 ? boundPort : properties.port();
    InetSocketAddress address = new InetSocketAddress(properties.bindAddress(), port);
    try {
      channel =
          new Bootstrap()
              .group(group)
              .channel(QuicSockets.datagramChannel())
              .option(ChannelOption.SO_RCVBUF, QuicTransportProperties.UDP_BUFFER_BYTES)
              .option(ChannelOption.SO_SNDBUF, QuicTransportProperties.UDP_BUFFER_BYTES)
              .handler(codec)
              .bind(address)
              .sync()
              .channel();
    } catch (Exception e) {
      shutdownExecutors();
      throw new ListenerBindException(
          "blixard.transport.quic.port",
          "blixard.transport.quic.bind-address",
          ListenerBindException.Protocol.UDP,
          address,
          e);
    }
    boundPort = ((InetSocketAddress) channel.localAddress()).getPort();
    endpoints.publish(NodeEndpoints.Kind.QUIC, boundPort);
    log.info(
        "QUIC server listening on {}:{}/udp with {} services (ALPN {}, sockets on {})",
        properties.bindAddress(),
        boundPort,
        catalogue.serviceNames().size(),
        properties.alpnProtocols(),
        QuicSockets.describe());
  }

  @Override
  public synchronized void stop() {
    Channel current = channel;
    if (current == null) {
      return;
    }
    endpoints.withdraw(NodeEndpoints.Kind.QUIC);
    channel = null;
    // Calls in flight run on, receiving and sending, until they end or the grace period does;
    // new ones are refused with UNAVAILABLE meanwhile. Those still open then are cancelled on
    // both sides while the handler threads are still there to run their onCancel.
    OpenCalls calls = openCalls;
    calls.drain();
    if (!calls.awaitEmpty(properties.shutdownGracePeriod().toMillis())) {
      log.info("Cancelling {} QUIC calls still open after the grace period", calls.size());
      calls.abortAll(
          Status.UNAVAILABLE.withDescription(
              "the QUIC server shut down before the call completed"));
      // Their ERROR frames go out before the connections close.
      calls.awaitEmpty(CANCEL_FLUSH_MILLIS);
    }
    handlers.shutdown();
    raftHandlers.shutdown();
    try {
      handlers.awaitTermination(CANCEL_FLUSH_MILLIS, TimeUnit.MILLISECONDS);
      raftHandlers.awaitTermination(CANCEL_FLUSH_MILLIS, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    // Tell every client at once, rather than leaving them to their idle timeout.
    for (Channel connection : connections) {
      ((QuicChannel) connection)
          .close(true, 0, Unpooled.copiedBuffer("server shutting down", StandardCharsets.US_ASCII));
    }
    connections.close().awaitUninterruptibly(1, TimeUnit.SECONDS);
    current.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    shutdownExecutors();
    log.info("QUIC server stopped");
  }

  private void shutdownExecutors() {
    if (handlers != null) {
      handlers.shutdownNow();
    }
    if (raftHandlers != null) {
      raftHandlers.shutdownNow();
    }
    if (group != null) {
      // Bounded: an event loop stuck in a task would otherwise hold the shutdown for ever.
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  @Override
  public boolean isRunning() {
    return channel != null;
  }

  @Override
  public Transport transport() {
    return Transport.QUIC;
  }

  @Override
  public Optional<InetSocketAddress> localAddress() {
    Channel current = channel;
    return current == null
        ? Optional.empty()
        : Optional.of((InetSocketAddress) current.localAddress());
  }

  /** The bound UDP port, or -1 when not running. */
  public int port() {
    Channel current = channel;
    return current == null ? -1 : ((InetSocketAddress) current.localAddress()).getPort();
  }

  /** Inbound bytes the server holds now, across its connections, but for members' Raft calls. */
  public long inboundBytes() {
    return inbound.used();
  }

  /** The share of the limits this server keeps for members' Raft calls. */
  public RaftShare raftShare() {
    return raft;
  }

  /** Inbound bytes the server holds now for members' Raft calls. */
  public long raftInboundBytes() {
    return raftInbound.used();
  }

  /**
   * Counts connections and failed handshakes, and holds them to max-connections in all and
   * max-connections-per-source from one address; shared by every connection. A connection over a
   * limit is closed with QUIC's CONNECTION_REFUSED and a reason the client reports, as soon as its
   * first packet has been read; it never reaches the handshake's end, and holds no stream — unless
   * the slice kept for members (blixard.transport.quic.raft.reserved-connections) has room: then it
   * is admitted there, may open no stream until its handshake ends, and is refused then unless its
   * certificate is a member's. The certificate is known only then, so the slice is what lets a
   * member's connection in while client connections fill the limits.
   */
  @ChannelHandler.Sharable
  private static final class ConnectionTracker extends ChannelInboundHandlerAdapter {

    private final QuicTransportProperties properties;
    private final QuicMetrics metrics;
    private final ChannelGroup connections;
    private final InboundBudget inbound;
    private final InboundBudget raftInbound;
    private final RaftShare raft;
    private final RefusalLog refusals;
    private final ConnectionLimits limits;
    private final AtomicInteger reserved = new AtomicInteger();

    ConnectionTracker(
        QuicTransportProperties properties,
        QuicMetrics metrics,
        ChannelGroup connections,
        InboundBudget inbound,
        InboundBudget raftInbound,
        RaftShare raft,
        RefusalLog refusals) {
      this.properties = properties;
      this.metrics = metrics;
      this.connections = connections;
      this.inbound = inbound;
      this.raftInbound = raftInbound;
      this.raft = raft;
      this.refusals = refusals;
      this.limits =
          new ConnectionLimits(
              "QUIC",
              "blixard.transport.quic",
              properties.maxConnections(),
              properties.maxConnectionsPerSource());
      metrics.watchReserved(reserved);
    }

    @Override
    public void channelRegistered(ChannelHandlerContext ctx) {
      QuicChannel connection = (QuicChannel) ctx.channel();
      InetAddress source = source(connection);
      Optional<ConnectionLimits.Refused> refused = limits.admit(source);
      if (refused.isEmpty()) {
        connection.attr(SOURCE_KEY).set(source);
        giveBudgets(connection);
      } else if (takeReservedSlot()) {
        connection.attr(RESERVED_KEY).set(Boolean.TRUE);
        connection.attr(PROVISIONAL_KEY).set(refused.get());
      } else {
        refuse(ctx, connection, refused.get(), false);
      }
      ctx.fireChannelRegistered();
    }

    private boolean takeReservedSlot() {
      int slots = raft.limits().reservedConnections();
      while (true) {
        int now = reserved.get();
        if (now >= slots) {
          return false;
        }
        if (reserved.compareAndSet(now, now + 1)) {
          return true;
        }
      }
    }

    private void giveBudgets(QuicChannel connection) {
      long perConnection = properties.maxInboundBytesPerConnection().toBytes();
      connection
          .attr(BUDGET_KEY)
          .set(
              inbound.child(
                  "blixard.transport.quic.max-inbound-bytes-per-connection", perConnection));
      connection
          .attr(RAFT_BUDGET_KEY)
          .set(
              raftInbound.child(
                  "blixard.transport.quic.max-inbound-bytes-per-connection", perConnection));
    }

    /**
     * Closes the connection with CONNECTION_REFUSED and the reason; {@code now} once its handshake
     * is over (before any stream of it is read), else after the packet that opened it has been
     * read, so that the close goes out.
     */
    private void refuse(
        ChannelHandlerContext ctx,
        QuicChannel connection,
        ConnectionLimits.Refused refused,
        boolean now) {
      String refusal = refused.message();
      metrics.connectionRefused(QuicMetrics.Refusal.valueOf(refused.reason().name()));
      refusals.refused(refusal);
      Runnable close =
          () ->
              connection.close(
                  false,
                  CONNECTION_REFUSED,
                  Unpooled.copiedBuffer(refusal, StandardCharsets.UTF_8));
      if (now) {
        close.run();
      } else {
        ctx.executor().execute(close);
      }
    }

    private static InetAddress source(QuicChannel connection) {
      return ((InetSocketAddress) connection.remoteSocketAddress()).getAddress();
    }

    @Override
    public void channelUnregistered(ChannelHandlerContext ctx) {
      releaseOnce(ctx);
      ctx.fireChannelUnregistered();
    }

    /** Counts a connection out when it closes, or when it goes without having opened. */
    private void releaseOnce(ChannelHandlerContext ctx) {
      InetAddress source = ctx.channel().attr(SOURCE_KEY).getAndSet(null);
      if (source != null) {
        limits.release(source);
      }
      if (ctx.channel().attr(RESERVED_KEY).getAndSet(null) != null) {
        reserved.decrementAndGet();
      }
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      QuicChannel connection = (QuicChannel) ctx.channel();
      ConnectionLimits.Refused provisional = connection.attr(PROVISIONAL_KEY).getAndSet(null);
      if (provisional != null) {
        // The handshake is over: the certificate says whether the slice was a member's to take.
        Optional<NodeId> peer = QuicAttributes.peerNodeId(connection);
        if (peer.isEmpty() || !raft.members().test(peer.get())) {
          refuse(ctx, connection, provisional, true);
          ctx.fireChannelActive();
          return;
        }
        giveBudgets(connection);
        log.debug(
            "Took {}'s QUIC connection into the members' slice: {}",
            peer.get().shortForm(),
            provisional.message());
      }
      connections.add(ctx.channel());
      ctx.channel().attr(ACTIVE_KEY).set(Boolean.TRUE);
      metrics.connectionOpened();
      ctx.fireChannelActive();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (ctx.channel().attr(ACTIVE_KEY).getAndSet(null) != null) {
        metrics.connectionClosed();
      }
      releaseOnce(ctx);
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      if (cause instanceof SSLException || cause.getCause() instanceof SSLException) {
        metrics.handshakeFailed();
        log.debug("A QUIC handshake failed from {}", ctx.channel().remoteAddress(), cause);
      } else {
        log.debug("A QUIC connection failed", cause);
      }
    }
  }
}
