package io.blixard.transport.quic.client;

import io.blixard.transport.quic.codec.Frame;
import io.blixard.transport.quic.codec.FrameType;
import io.blixard.transport.quic.codec.Frames;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.Consumer;

/**
 * The client's side of one call's stream: writes asked for before the stream is open wait and run
 * in order once it is; this side ends (FIN) exactly once, with its last frame or on its own.
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

  /** Writes this side's last frame, FIN with it, unless this side has ended already. */
  void writeLast(QuicStreamChannel s, Frame frame) {
    synchronized (this) {
      if (outputShut) {
        frame.release();
        return;
      }
      outputShut = true;
    }
    s.writeAndFlush(frame.last());
  }

  /** Ends this side with a FIN of its own, unless it has ended already. */
  void shutOutput(QuicStreamChannel s) {
    synchronized (this) {
      if (outputShut) {
        return;
      }
      outputShut = true;
    }
    s.shutdownOutput();
  }

  /** The call ended on this side: nothing waiting is written any more. */
  void abandon() {
    synchronized (this) {
      abandoned = true;
      pending = null;
    }
  }

  /**
   * Tells the server to stop: a CANCEL frame with FIN while this side is open; otherwise (FIN went
   * with the request) the stream is only forgotten, and the server's answer dropped.
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
