package io.blixard.transport.quic;

import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.util.AttributeKey;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
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
 * <p>While a connection has streams open, and for {@link #LINGER_NANOS} after the last one closed,
 * this asks the library every {@link #INTERVAL_MILLIS} ms to send what quiche has queued (its own
 * {@code connectionSendAndFlush}, which does nothing when there is nothing to send). A stalled
 * retransmission so goes out within milliseconds. Every tick runs on the connection's event loop.
 */
public final class QuicSendWatchdog {

  private static final Logger log = LoggerFactory.getLogger(QuicSendWatchdog.class);

  static final long INTERVAL_MILLIS = 10;
  static final long LINGER_NANOS = TimeUnit.SECONDS.toNanos(5);

  private static final AttributeKey<QuicSendWatchdog> KEY =
      AttributeKey.valueOf(QuicSendWatchdog.class, "watchdog");
  private static final MethodHandle SEND = lookUpSend();

  private final QuicChannel quic;
  // Touched on the connection's event loop only.
  private int openStreams;
  private long lastClosedNanos;
  private boolean ticking;

  private QuicSendWatchdog(QuicChannel quic) {
    this.quic = quic;
  }

  /** Whether the library has the send this needs; without it the watchdog does nothing. */
  public static boolean available() {
    return SEND != null;
  }

  /**
   * Watches the connection of {@code stream} while the stream is open, and for {@link
   * #LINGER_NANOS} after it closed. Called once per stream, when it is set up.
   */
  public static void watch(QuicStreamChannel stream) {
    QuicChannel quic = stream.parent();
    onEventLoop(quic, QuicSendWatchdog::opened);
    stream.closeFuture().addListener(f -> onEventLoop(quic, QuicSendWatchdog::closed));
  }

  private static void onEventLoop(QuicChannel quic, Consumer<QuicSendWatchdog> action) {
    if (SEND == null) {
      return;
    }
    if (quic.eventLoop().inEventLoop()) {
      action.accept(of(quic));
    } else {
      quic.eventLoop().execute(() -> action.accept(of(quic)));
    }
  }

  private static QuicSendWatchdog of(QuicChannel quic) {
    QuicSendWatchdog watchdog = quic.attr(KEY).get();
    if (watchdog == null) {
      watchdog = new QuicSendWatchdog(quic);
      quic.attr(KEY).set(watchdog);
    }
    return watchdog;
  }

  private void opened() {
    openStreams++;
    startTicking();
  }

  private void closed() {
    if (openStreams > 0) {
      openStreams--;
    }
    lastClosedNanos = System.nanoTime();
    startTicking();
  }

  private void startTicking() {
    if (!ticking && quic.isActive()) {
      ticking = true;
      quic.eventLoop().schedule(this::tick, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
    }
  }

  private void tick() {
    if (!quic.isActive()) {
      ticking = false;
      return;
    }
    try {
      SEND.invokeExact((Object) quic);
    } catch (Throwable e) {
      log.debug("Cannot ask the QUIC connection to send", e);
    }
    if (openStreams == 0 && System.nanoTime() - lastClosedNanos > LINGER_NANOS) {
      ticking = false;
      return;
    }
    quic.eventLoop().schedule(this::tick, INTERVAL_MILLIS, TimeUnit.MILLISECONDS);
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
