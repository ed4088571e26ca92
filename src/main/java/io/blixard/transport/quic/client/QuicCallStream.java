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
 * in order once it is; this side ends (FIN) exactly once, with a CANCEL or after the server's end.
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
   * Ends this side with a FIN of its own once the server has ended the call, unless it has ended
   * already. A server that asked this side to stop (STOP_SENDING) refuses the FIN: the stream is
   * then only forgotten.
   */
  void shutOutput(QuicStreamChannel s) {
    synchronized (this) {
      if (outputShut) {
        return;
      }
      outputShut = true;
    }
    s.shutdownOutput()
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                s.close();
              }
            });
  }

  /** The call ended on this side: nothing waiting is written any more. */
  void abandon() {
    synchronized (this) {
      abandoned = true;
      pending = null;
    }
  }

  /**
   * Tells the server to stop: a CANCEL frame with FIN. This side stays open until the server has
   * ended the call, so a CANCEL can follow in every state of a call; once the server has ended it,
   * there is nothing left to stop and the stream is only forgotten.
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
