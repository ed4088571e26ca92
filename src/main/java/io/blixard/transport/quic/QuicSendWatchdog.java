package io.blixard.transport.quic;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.util.AttributeKey;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps a QUIC connection from sitting on data that quiche wants to retransmit.
 *
 * <p>The QUIC library (netty-incubator-codec-quic 0.0.75; Netty 4.2's QUIC codec has the same code)
 * re-arms quiche's loss-detection timer at the end of every send. When that timer has already
 * expired but its task has not run yet, the library runs the timeout right there, inside the send:
 * quiche declares the last packets lost and queues their data again, but the send that should carry
 * it is refused by the library's re-entrance guard, and with nothing left in flight quiche asks for
 * no new timer. The data then waits for the next packet in either direction — on a quiet
 * connection, until the idle timeout closes it. Under packet loss this stalled one call in a few
 * hundred for 30 s (docs/protocol.md, implementation notes).
 *
 * <p>So this asks the library every {@link #INTERVAL_MILLIS} ms to send what quiche has queued (its
 * own {@code connectionSendAndFlush}, which does nothing when there is nothing to send) — but only
 * while some stream of the connection has written data the peer has not answered yet, and for at
 * most {@link #LINGER_NANOS} after the last such write. Data the peer answered (any frame, or its
 * FIN, read on the same stream) has arrived, so nothing of it can wait for retransmission. A quiet
 * stream, a slow handler whose request was read, an answered keep-alive PING cost nothing: the cost
 * at rest follows what is unanswered, not what is open. Ticks start every {@link #INTERVAL_MILLIS}
 * ms after a write and slow down, doubling up to {@link #MAX_INTERVAL_MILLIS}, while nothing new is
 * written: a stalled retransmission goes out within milliseconds of a write, and within well under
 * a second later on. Every tick runs on the connection's event loop.
 */
public final class QuicSendWatchdog {

  private static final Logger log = LoggerFactory.getLogger(QuicSendWatchdog.class);

  static final long INTERVAL_MILLIS = 10;
  static final long MAX_INTERVAL_MILLIS = 640;
  static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(5);

  private static final AttributeKey<QuicSendWatchdog> KEY =
      AttributeKey.valueOf(QuicSendWatchdog.class, "watchdog");
  private static final MethodHandle SEND = lookUpSend();

  private final QuicChannel quic;
  // Touched on the connection's event loop only.
  private final Set<QuicStreamChannel> unanswered = new HashSet<>();
  private long lastWriteNanos;
  private long lingerUntilNanos;
  private long intervalMillis = INTERVAL_MILLIS;
  private boolean ticking;
  private long ticks;

  private QuicSendWatchdog(QuicChannel quic) {
    this.quic = quic;
  }

  /** Whether the library has the send this needs; without it the watchdog does nothing. */
  public static boolean available() {
    return SEND != null;
  }

  /**
   * Watches what {@code stream} writes until the peer answers it. Called once per stream, when it
   * is set up, on its event loop.
   */
  public static void watch(QuicStreamChannel stream) {
    if (SEND == null) {
      return;
    }
    stream.pipeline().addFirst(new StreamWatcher(of(stream.parent())));
  }

  /** Whether the watchdog of this connection is ticking now; false for one it never watched. */
  public static boolean isTicking(QuicChannel quic) {
    QuicSendWatchdog watchdog = quic.attr(KEY).get();
    return watchdog != null && watchdog.ticking;
  }

  /** Streams of this connection with data the peer has not answered; 0 for one never watched. */
  public static int unanswered(QuicChannel quic) {
    QuicSendWatchdog watchdog = quic.attr(KEY).get();
    return watchdog == null ? 0 : watchdog.unanswered.size();
  }

  /** Ticks run so far on this connection; 0 for one never watched. */
  public static long ticks(QuicChannel quic) {
    QuicSendWatchdog watchdog = quic.attr(KEY).get();
    return watchdog == null ? 0 : watchdog.ticks;
  }

  private static QuicSendWatchdog of(QuicChannel quic) {
    QuicSendWatchdog watchdog = quic.attr(KEY).get();
    if (watchdog == null) {
      watchdog = new QuicSendWatchdog(quic);
      QuicSendWatchdog raced = quic.attr(KEY).setIfAbsent(watchdog);
      if (raced != null) {
        watchdog = raced;
      }
    }
    return watchdog;
  }

  private void written(QuicStreamChannel stream) {
    unanswered.add(stream);
    lastWriteNanos = System.nanoTime();
    intervalMillis = INTERVAL_MILLIS;
    if (!ticking && quic.isActive()) {
      ticking = true;
      quic.eventLoop().schedule(this::tick, intervalMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void answered(QuicStreamChannel stream) {
    unanswered.remove(stream);
  }

  private void closed(QuicStreamChannel stream) {
    if (unanswered.remove(stream)) {
      // What it wrote last may still be on its way: watch the connection for the linger.
      lingerUntilNanos = lastWriteNanos + LINGER_NANOS;
    }
  }

  private void tick() {
    ticks++;
    if (!quic.isActive()) {
      ticking = false;
      unanswered.clear();
      return;
    }
    try {
      SEND.invokeExact((Object) quic);
    } catch (Throwable e) {
      log.debug("Cannot ask the QUIC connection to send", e);
    }
    long now = System.nanoTime();
    boolean waiting = !unanswered.isEmpty() && now - lastWriteNanos <= LINGER_NANOS;
    if (!waiting && now - lingerUntilNanos >= 0) {
      ticking = false;
      return;
    }
    // The longer nothing new was written, the less often: a stall is rare, a tick at rest is not.
    intervalMillis = Math.min(MAX_INTERVAL_MILLIS, intervalMillis * 2);
    quic.eventLoop().schedule(this::tick, intervalMillis, TimeUnit.MILLISECONDS);
  }

  /** Tells the watchdog what one stream writes and when the peer answers it. */
  private static final class StreamWatcher extends ChannelDuplexHandler {

    private final QuicSendWatchdog watchdog;

    StreamWatcher(QuicSendWatchdog watchdog) {
      this.watchdog = watchdog;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
      watchdog.written((QuicStreamChannel) ctx.channel());
      ctx.write(msg, promise);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      watchdog.answered((QuicStreamChannel) ctx.channel());
      ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof ChannelInputShutdownEvent) {
        watchdog.answered((QuicStreamChannel) ctx.channel());
      }
      ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      watchdog.closed((QuicStreamChannel) ctx.channel());
      ctx.fireChannelInactive();
    }
  }

  private static MethodHandle lookUpSend() {
    try {
      Class<?> channel = Class.forName("io.netty.incubator.codec.quic.QuicheQuicChannel");
      return MethodHandles.privateLookupIn(channel, MethodHandles.lookup())
          .findVirtual(channel, "connectionSendAndFlush", MethodType.methodType(void.class))
          .asType(MethodType.methodType(void.class, Object.class));
    } catch (ReflectiveOperationException | RuntimeException e) {
      log.warn(
          "The QUIC library has no connectionSendAndFlush(); a retransmission it holds back may"
              + " wait for the next packet on its connection",
          e);
      return null;
    }
  }
}
