package io.blixard.transport.quic;

import io.blixard.transport.quic.codec.InboundBudget;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.Executor;

/**
 * The messages one call has received and its listener has not taken yet, on either side: the
 * client's responses and the server's requests travel through the same queue.
 *
 * <p>Messages are handed to the {@link Sink} only as the listener asks for them ({@link #request}),
 * one at a time on the call's sequential executor, and the end of the peer's messages after the
 * last of them. Flow control goes back to QUIC: once {@link #HIGH_WATER} messages wait, the stream
 * stops reading, so the peer's QUIC flow-control window fills and its side sees {@code isReady() ==
 * false}; reading resumes when fewer than {@link #LOW_WATER} wait.
 *
 * <p>On a server, the messages waiting are counted against the node's {@link InboundBudget} until
 * the listener takes them.
 *
 * <p>{@link #add} and {@link #end} come from the stream's event loop; {@link #request} and {@link
 * #discard} from any thread.
 */
public final class InboundMessages {

  /** Messages waiting at which the stream stops reading. */
  public static final int HIGH_WATER = 16;

  /** Messages waiting below which it reads again. */
  public static final int LOW_WATER = 4;

  /** Where the messages go, on the call's sequential executor. */
  public interface Sink {

    /** The next message, whose buffer the sink now owns and must release. */
    void onMessage(ByteBuf message);

    /** The peer sends no more messages, and every one it sent was delivered. */
    void onEnd();
  }

  private final Executor serial;
  private final Sink sink;
  private final InboundBudget budget;
  private final ArrayDeque<ByteBuf> queue = new ArrayDeque<>();
  private final Runnable drain = this::drain;
  // Guarded by this.
  private Channel stream;
  private int requested;
  private boolean ended;
  private boolean endDelivered;
  private boolean discarded;

  public InboundMessages(Executor serial, Sink sink) {
    this(serial, sink, null);
  }

  /**
   * @param budget what waiting messages are counted against, or null
   */
  public InboundMessages(Executor serial, Sink sink, InboundBudget budget) {
    this.serial = Objects.requireNonNull(serial, "serial");
    this.sink = Objects.requireNonNull(sink, "sink");
    this.budget = budget;
  }

  /** The stream whose reading this queue holds back when its listener lags. */
  public void attach(Channel stream) {
    synchronized (this) {
      this.stream = stream;
    }
  }

  /** A message from the peer; released at once if the call is over. */
  public void add(ByteBuf message) {
    synchronized (this) {
      if (discarded || ended) {
        message.release();
        return;
      }
      queue.add(message);
      if (budget != null) {
        budget.reserve(message.readableBytes());
      }
      if (queue.size() >= HIGH_WATER && stream != null) {
        stream.config().setAutoRead(false);
      }
    }
    serial.execute(drain);
  }

  /** The peer sends no more messages; false if it had said so already. */
  public boolean end() {
    synchronized (this) {
      if (ended) {
        return false;
      }
      ended = true;
    }
    serial.execute(drain);
    return true;
  }

  /** The listener takes {@code count} more messages. */
  public void request(int count) {
    if (count <= 0) {
      throw new IllegalArgumentException("numMessages: " + count + " (expected: > 0)");
    }
    synchronized (this) {
      requested = (int) Math.min(Integer.MAX_VALUE, (long) requested + count);
    }
    serial.execute(drain);
  }

  /**
   * The call is over: releases what waits, delivers nothing more, and lets the stream read again
   * (what still comes is released at once) so that the peer's end of the stream is read and QUIC
   * can retire it.
   */
  public void discard() {
    Channel held;
    synchronized (this) {
      discarded = true;
      ByteBuf message;
      while ((message = queue.poll()) != null) {
        released(message);
        message.release();
      }
      held = stream;
    }
    if (held != null && !held.config().isAutoRead()) {
      held.config().setAutoRead(true);
    }
  }

  /** Messages received and not yet delivered. */
  public int buffered() {
    synchronized (this) {
      return queue.size();
    }
  }

  private void released(ByteBuf message) {
    if (budget != null) {
      budget.release(message.readableBytes());
    }
  }

  private void drain() {
    while (true) {
      ByteBuf message = null;
      synchronized (this) {
        if (discarded) {
          return;
        }
        if (requested > 0 && !queue.isEmpty()) {
          requested--;
          message = queue.poll();
          released(message);
          if (queue.size() < LOW_WATER && stream != null && !stream.config().isAutoRead()) {
            stream.config().setAutoRead(true);
          }
        } else if (queue.isEmpty() && ended && !endDelivered) {
          endDelivered = true;
        } else {
          return;
        }
      }
      if (message == null) {
        sink.onEnd();
        return;
      }
      sink.onMessage(message);
    }
  }
}
