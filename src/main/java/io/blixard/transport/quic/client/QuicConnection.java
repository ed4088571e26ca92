package io.blixard.transport.quic.client;

import io.blixard.node.NodeId;
import io.blixard.transport.quic.QuicSendWatchdog;
import io.blixard.transport.quic.codec.FrameDecoder;
import io.blixard.transport.quic.codec.FrameEncoder;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicConnectionCloseEvent;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.incubator.codec.quic.QuicStreamLimitChangedEvent;
import io.netty.incubator.codec.quic.QuicStreamType;
import io.netty.util.AttributeKey;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.channels.ClosedChannelException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One pooled QUIC connection to one node, shared by every call to it. A call takes a slot ({@link
 * #tryAcquire}) before it opens its stream; the pool retires the connection only while no call
 * holds one ({@link #tryRetire}), so a connection handed out is never closed under its call.
 */
final class QuicConnection {

  private static final int RETIRED = -1;
  // QUIC's transport error for a connection the server will not take (RFC 9000 §20.1).
  private static final int CONNECTION_REFUSED = 0x2;
  private static final AttributeKey<String> CLOSED_BY_PEER =
      AttributeKey.valueOf("blixard.closed-by-peer");

  private final QuicChannel quic;
  private final Channel datagram;
  private final NodeId peer;
  private final int maxFrameSize;
  private final AtomicInteger calls = new AtomicInteger();
  // Touched on the connection's event loop only.
  private final ArrayDeque<PendingStream> waiting = new ArrayDeque<>();
  private volatile long lastUsedNanos = System.nanoTime();
  private final QuicKeepAlive keepAlive;

  QuicConnection(QuicChannel quic, Channel datagram, NodeId peer, int maxFrameSize) {
    this.quic = quic;
    this.datagram = datagram;
    this.peer = peer;
    this.maxFrameSize = maxFrameSize;
    this.keepAlive = new QuicKeepAlive(quic, this::openProbeStream);
    quic.closeFuture()
        .addListener(
            f -> {
              datagram.close();
              drainWaiting();
            });
    quic.pipeline()
        .addLast(
            new ChannelInboundHandlerAdapter() {
              @Override
              public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
                if (event instanceof QuicStreamLimitChangedEvent) {
                  drainWaiting();
                } else if (event instanceof QuicConnectionCloseEvent close) {
                  quic.attr(CLOSED_BY_PEER).set(describe(close));
                }
                ctx.fireUserEventTriggered(event);
              }
            });
  }

  /** What the peer said when it closed this connection, if it did. */
  static Optional<String> closedByPeer(Channel quic) {
    return Optional.ofNullable(quic.attr(CLOSED_BY_PEER).get());
  }

  /** What a peer that closed a connection said, for a caller to read. */
  static String describe(QuicConnectionCloseEvent event) {
    String reason = reasonOf(event);
    String code;
    if (event.isApplicationClose()) {
      code = "application error " + event.error();
    } else if (event.isTlsError()) {
      code = "TLS alert " + tlsAlert(QuicConnectionCloseEvent.extractTlsError(event.error()));
    } else if (event.error() == CONNECTION_REFUSED) {
      code = "CONNECTION_REFUSED";
    } else {
      code = "QUIC error 0x" + Integer.toHexString(event.error());
    }
    return "the server closed the connection ("
        + code
        + ")"
        + (reason.isEmpty() ? "" : ": " + reason);
  }

  private static String tlsAlert(int alert) {
    return switch (alert) {
      case 40 -> "handshake_failure";
      case 42 -> "bad_certificate";
      case 46 -> "certificate_unknown";
      case 48 -> "unknown_ca";
      case 116 -> "certificate_required";
      case 120 -> "no_application_protocol";
      default -> Integer.toString(alert);
    };
  }

  private static String reasonOf(QuicConnectionCloseEvent event) {
    try {
      return new String(event.reason(), StandardCharsets.UTF_8);
    } catch (NullPointerException e) {
      // The library's event copies its reason without looking: a close with none (a TLS alert).
      return "";
    }
  }

  /** The node the server's certificate names. */
  NodeId peer() {
    return peer;
  }

  boolean isActive() {
    return quic.isActive();
  }

  /** The QUIC connection itself. */
  QuicChannel channel() {
    return quic;
  }

  /** Whether a call may still take a slot: open, and not retired by the pool. */
  boolean isUsable() {
    return quic.isActive() && calls.get() != RETIRED;
  }

  /** Takes a slot for one call; false once the pool retired the connection. */
  boolean tryAcquire() {
    while (true) {
      int current = calls.get();
      if (current == RETIRED) {
        return false;
      }
      if (calls.compareAndSet(current, current + 1)) {
        lastUsedNanos = System.nanoTime();
        return true;
      }
    }
  }

  /** Retires the connection if no call holds a slot: no call can take one from then on. */
  boolean tryRetire() {
    return calls.compareAndSet(0, RETIRED);
  }

  /**
   * Opens a stream for one call that holds a slot ({@link #tryAcquire}), its frames going to {@code
   * handler}; the slot is given back when the stream closes or fails to open. When the server
   * allows no more concurrent streams, the call waits for QUIC flow control to grant one.
   */
  Future<QuicStreamChannel> openStream(ChannelHandler handler) {
    Promise<QuicStreamChannel> promise = quic.eventLoop().newPromise();
    promise.addListener(
        f -> {
          if (!f.isSuccess()) {
            callEnded();
          }
        });
    quic.eventLoop().execute(() -> openOrWait(new PendingStream(handler, promise, true)));
    return promise;
  }

  /**
   * Opens a stream of the connection's own (the keep-alive probe): it waits for stream credit in
   * line with the calls, since a stream opened beyond the server's limit is refused by QUIC and its
   * id lost for good, but it holds no call slot.
   */
  private Future<QuicStreamChannel> openProbeStream(
      ChannelHandler handler, Promise<QuicStreamChannel> promise) {
    quic.eventLoop().execute(() -> openOrWait(new PendingStream(handler, promise, false)));
    return promise;
  }

  /** A stream waiting for credit; {@code call} when it holds a call slot. */
  private record PendingStream(
      ChannelHandler handler, Promise<QuicStreamChannel> promise, boolean call) {}

  private void openOrWait(PendingStream pending) {
    if (!quic.isActive()) {
      pending.promise().tryFailure(new ClosedChannelException());
      return;
    }
    if (!waiting.isEmpty() || quic.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) <= 0) {
      waiting.add(pending);
      if (waiting.size() == 1) {
        pollWaiting();
      }
      return;
    }
    create(pending);
  }

  private void create(PendingStream pending) {
    createStream(pending.handler(), pending.promise())
        .addListener(
            f -> {
              if (f.isSuccess() && pending.call()) {
                ((QuicStreamChannel) f.getNow()).closeFuture().addListener(c -> callEnded());
              }
            });
  }

  /** A stream whose frames, decoded, go to {@code handler}; watched for stalled sends. */
  private Future<QuicStreamChannel> createStream(
      ChannelHandler handler, Promise<QuicStreamChannel> promise) {
    promise.addListener(
        f -> {
          if (f.isSuccess()) {
            QuicSendWatchdog.watch((QuicStreamChannel) f.getNow());
          }
        });
    return quic.createStream(
        QuicStreamType.BIDIRECTIONAL,
        new ChannelInitializer<QuicStreamChannel>() {
          @Override
          protected void initChannel(QuicStreamChannel stream) {
            stream.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            stream
                .pipeline()
                .addLast(new FrameDecoder(maxFrameSize), FrameEncoder.INSTANCE, handler);
          }
        },
        promise);
  }

  /**
   * Looks at the stream credit again every few milliseconds while calls wait, besides the
   * limit-changed event: a call must not wait on one event it might miss.
   */
  private void pollWaiting() {
    quic.eventLoop()
        .schedule(
            () -> {
              drainWaiting();
              if (!waiting.isEmpty()) {
                pollWaiting();
              }
            },
            5,
            TimeUnit.MILLISECONDS);
  }

  /** The server granted more streams, or the connection ended: let waiting calls go on. */
  private void drainWaiting() {
    PendingStream pending;
    while ((pending = waiting.peek()) != null) {
      if (!quic.isActive()) {
        waiting.poll().promise().tryFailure(new ClosedChannelException());
        continue;
      }
      if (quic.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) <= 0) {
        return;
      }
      create(waiting.poll());
    }
  }

  private void callEnded() {
    calls.decrementAndGet();
    lastUsedNanos = System.nanoTime();
  }

  /** Calls in flight. */
  int calls() {
    return Math.max(0, calls.get());
  }

  /** Nanoseconds since the last call started or ended; zero while calls are in flight. */
  long idleNanos() {
    return calls.get() > 0 ? 0 : System.nanoTime() - lastUsedNanos;
  }

  /** Probes the peer now and then; see {@link QuicKeepAlive}. */
  void keepAlive(long intervalNanos, long timeoutMillis) {
    keepAlive.probe(intervalNanos, timeoutMillis);
  }

  void close() {
    quic.close();
  }

  /** Completes when the connection has closed, whoever closed it. */
  io.netty.channel.ChannelFuture closeFuture() {
    return quic.closeFuture();
  }
}
