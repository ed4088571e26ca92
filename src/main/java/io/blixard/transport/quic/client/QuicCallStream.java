package io.blixard.transport.quic.client;

import io.blixard.transport.quic.codec.FrameType;
import io.blixard.transport.quic.codec.Frames;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The client's side of one call's stream: writes asked for before the stream is open wait and run
 * in order once it is. This side stays open until the server has ended the call, so that a CANCEL
 * can follow in every state of a call, and ends (FIN) exactly once, always with a CANCEL frame: to
 * stop the call, or once the server's end is read, to finish the stream (docs/protocol.md,
 * "Cancelling a call").
 */
final class QuicCallStream {

  private QuicStreamChannel stream;
  private List<Consumer<QuicStreamChannel>> pending = new ArrayList<>();
  private boolean outputShut;
  private boolean abandoned;

  /** Runs {@code op} on the stream now, or once it is open; never after {@link #abandon}. */
  void submit(Consumer<QuicStreamChannel> op) {
    QuicStreamChannel s;
    synchronized (this) {
      if (abandoned) {
        return;
      }
      if (stream == null) {
        pending.add(op);
        return;
      }
      s = stream;
    }
    op.accept(s);
  }

  /** The stream is open: runs what waited. False when the call ended meanwhile. */
  boolean opened(QuicStreamChannel s) {
    List<Consumer<QuicStreamChannel>> ops;
    synchronized (this) {
      if (abandoned) {
        return false;
      }
      stream = s;
      ops = pending;
      pending = null;
    }
    ops.forEach(op -> op.accept(s));
    return true;
  }

  /**
   * The server has ended the call: ends this side too, unless it has ended already, so that both
   * sides of the stream are finished and QUIC gives its credit back. The FIN goes with a CANCEL
   * frame, which the server ignores on a call it has ended: QUIC sends a lost FIN again only when
   * it carries data (an empty FIN after all of the stream's data was acknowledged is not resent),
   * and without the client's FIN the server's stream is never finished.
   */
  void finish(QuicStreamChannel s, UUID requestId) {
    synchronized (this) {
      if (outputShut) {
        return;
      }
      outputShut = true;
    }
    s.writeAndFlush(Frames.empty(s.alloc(), FrameType.CANCEL, requestId).last());
  }

  /** The call ended on this side: nothing waiting is written any more. */
  void abandon() {
    synchronized (this) {
      abandoned = true;
      pending = null;
    }
  }

  /**
   * Tells the server to stop: a CANCEL frame with FIN, in whatever state the call is (this side
   * stays open until the server's end). Once the server has ended the call there is nothing left to
   * stop, and the stream is only forgotten.
   */
  void cancel(UUID requestId) {
    QuicStreamChannel s;
    boolean canWrite;
    synchronized (this) {
      s = stream;
      canWrite = !outputShut;
      outputShut = true;
    }
    if (s == null) {
      return;
    }
    if (canWrite) {
      s.writeAndFlush(Frames.empty(s.alloc(), FrameType.CANCEL, requestId).last());
    } else {
      s.close();
    }
  }

  synchronized boolean isWritable() {
    return stream != null && !abandoned && stream.isWritable();
  }
}
