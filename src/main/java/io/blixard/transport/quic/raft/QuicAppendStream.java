package io.blixard.transport.quic.raft;

import io.blixard.proto.raft.v1.RaftMessage;
import io.blixard.proto.raft.v1.RaftServiceGrpc;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;

/**
 * An {@link AppendStream} as one {@code blixard.raft.v1.RaftService/AppendEntriesStream} call: a
 * bidirectional QUIC stream on the peer's pooled connection, each Ratis request and reply one
 * {@link RaftMessage}.
 */
final class QuicAppendStream implements AppendStream {

  private final MeasuredAppendStream measured;
  private final String target;
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile ClientCallStreamObserver<RaftMessage> requests;

  private QuicAppendStream(String target, MeasuredAppendStream measured) {
    this.target = target;
    this.measured = measured;
  }

  /** Opens the stream on {@code channel} to the peer named {@code target}. */
  static AppendStream open(Channel channel, String target, MeasuredAppendStream measured) {
    QuicAppendStream stream = new QuicAppendStream(target, measured);
    try {
      ClientCall<RaftMessage, RaftMessage> call =
          channel.newCall(RaftServiceGrpc.getAppendEntriesStreamMethod(), CallOptions.DEFAULT);
      ClientCalls.asyncBidiStreamingCall(call, stream.new Replies());
    } catch (RuntimeException e) {
      stream.failed(e);
    }
    return stream;
  }

  @Override
  public void send(AppendEntriesRequestProto request) {
    ClientCallStreamObserver<RaftMessage> out = requests;
    if (ended.get() || out == null) {
      return;
    }
    measured.sending(request);
    try {
      out.onNext(RaftMessages.wrap(request));
    } catch (RuntimeException e) {
      failed(e);
    }
  }

  @Override
  public void cancel() {
    ClientCallStreamObserver<RaftMessage> out = requests;
    if (ended.compareAndSet(false, true) && out != null) {
      out.cancel("the leader's appender reset the stream", null);
    }
  }

  private void failed(Throwable failure) {
    ended.set(true);
    measured.onError(RaftCallFailures.toIOException(failure, target));
  }

  /** The follower's replies, in the order of the requests. */
  private final class Replies implements ClientResponseObserver<RaftMessage, RaftMessage> {
    @Override
    public void beforeStart(ClientCallStreamObserver<RaftMessage> stream) {
      requests = stream;
    }

    @Override
    public void onNext(RaftMessage message) {
      AppendEntriesReplyProto reply;
      try {
        reply =
            RaftMessages.unwrap(
                message, AppendEntriesReplyProto.parser(), "AppendEntriesReplyProto");
      } catch (RuntimeException e) {
        cancel();
        failed(e);
        return;
      }
      measured.onReply(reply);
    }

    @Override
    public void onError(Throwable t) {
      failed(t);
    }

    @Override
    public void onCompleted() {
      failed(
          new java.io.IOException(
              "the follower "
                  + target
                  + " ended the appendEntries stream (expected: the leader"
                  + " ends it)"));
    }
  }
}
