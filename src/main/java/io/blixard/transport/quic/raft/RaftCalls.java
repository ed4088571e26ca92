package io.blixard.transport.quic.raft;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.MoreExecutors;
import io.blixard.proto.raft.v1.RaftMessage;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;
import org.apache.ratis.thirdparty.com.google.protobuf.Parser;

/**
 * One Raft call over a QUIC channel: the Ratis request serialized into a {@code blixard.raft.v1}
 * call, the reply parsed back, failures turned into the {@link IOException}s Ratis expects, and
 * each call measured.
 */
final class RaftCalls {

  private final RaftRpcMetrics metrics;

  RaftCalls(RaftRpcMetrics metrics) {
    this.metrics = metrics;
  }

  /** Sends {@code request} to {@code target} and returns its reply. */
  <R> CompletableFuture<R> call(
      Channel channel,
      String target,
      MethodDescriptor<RaftMessage, RaftMessage> method,
      MessageLite request,
      Parser<R> replyParser,
      Duration timeout) {
    String name = method.getBareMethodName();
    RaftMessage message = RaftMessages.wrap(request);
    metrics.bytes(name, true, message.getRatis().size());
    long start = System.nanoTime();
    CompletableFuture<R> reply = new CompletableFuture<>();
    Futures.addCallback(
        ClientCalls.futureUnaryCall(
            channel.newCall(
                method,
                CallOptions.DEFAULT.withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)),
            message),
        new FutureCallback<>() {
          @Override
          public void onSuccess(RaftMessage result) {
            metrics.bytes(name, false, result.getRatis().size());
            R parsed;
            try {
              parsed = RaftMessages.unwrap(result, replyParser, name + " reply");
            } catch (RuntimeException e) {
              onFailure(e);
              return;
            }
            metrics.call(name, System.nanoTime() - start, true);
            reply.complete(parsed);
          }

          @Override
          public void onFailure(Throwable t) {
            metrics.call(name, System.nanoTime() - start, false);
            reply.completeExceptionally(RaftCallFailures.toIOException(t, target));
          }
        },
        MoreExecutors.directExecutor());
    return reply;
  }

  /** {@link #call} for a caller that waits: Ratis's blocking server protocol. */
  <R> R callAndWait(
      Channel channel,
      String target,
      MethodDescriptor<RaftMessage, RaftMessage> method,
      MessageLite request,
      Parser<R> replyParser,
      Duration timeout)
      throws IOException {
    try {
      return call(channel, target, method, request, replyParser, timeout).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException(
          "interrupted while waiting for " + method.getBareMethodName() + " to " + target);
    } catch (ExecutionException e) {
      throw RaftCallFailures.toIOException(e, target);
    }
  }
}
