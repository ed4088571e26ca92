package io.blixard.transport.quic.raft;

import java.util.ArrayDeque;
import java.util.Queue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;

/**
 * Measures each message of an {@link AppendStream} as one {@code AppendEntries} call in {@link
 * RaftRpcMetrics}: its bytes each way, and the time from a request to its reply, which comes back
 * in order. Requests still in flight when the stream fails count as failed calls; the listener
 * hears of one failure at most, and of no reply after it.
 */
final class MeasuredAppendStream implements AppendStream.Listener {

  static final String METHOD = "AppendEntries";

  private final RaftRpcMetrics metrics;
  private final AppendStream.Listener listener;
  private final LongConsumer latencies;
  private final Queue<Long> sent = new ArrayDeque<>();

  /**
   * @param latencies told each reply's latency in nanoseconds (the Raft router's path chooser)
   */
  MeasuredAppendStream(
      RaftRpcMetrics metrics, AppendStream.Listener listener, LongConsumer latencies) {
    this.metrics = metrics;
    this.listener = new Once(listener);
    this.latencies = latencies;
  }

  /** Call before sending {@code request}. */
  void sending(AppendEntriesRequestProto request) {
    metrics.bytes(METHOD, true, request.getSerializedSize());
    int inFlight;
    synchronized (sent) {
      sent.add(System.nanoTime());
      inFlight = sent.size();
    }
    metrics.inFlight(inFlight);
  }

  @Override
  public void onReply(AppendEntriesReplyProto reply) {
    Long start;
    synchronized (sent) {
      start = sent.poll();
    }
    metrics.bytes(METHOD, false, reply.getSerializedSize());
    if (start != null) {
      long nanos = System.nanoTime() - start;
      metrics.call(METHOD, nanos, true);
      latencies.accept(nanos);
    }
    listener.onReply(reply);
  }

  @Override
  public void onError(Throwable failure) {
    long now = System.nanoTime();
    synchronized (sent) {
      for (Long start; (start = sent.poll()) != null; ) {
        metrics.call(METHOD, now - start, false);
      }
    }
    listener.onError(failure);
  }

  /** Hands the listener at most one failure, and no reply after it. */
  private static final class Once implements AppendStream.Listener {
    private final AppendStream.Listener listener;
    private final AtomicBoolean failed = new AtomicBoolean();

    Once(AppendStream.Listener listener) {
      this.listener = listener;
    }

    @Override
    public void onReply(AppendEntriesReplyProto reply) {
      if (!failed.get()) {
        listener.onReply(reply);
      }
    }

    @Override
    public void onError(Throwable failure) {
      if (failed.compareAndSet(false, true)) {
        listener.onError(failure);
      }
    }
  }
}
