package io.blixard.transport.quic.raft;

import java.io.IOException;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;
import org.apache.ratis.grpc.GrpcUtil;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupListReplyProto;
import org.apache.ratis.proto.RaftProtos.GroupListRequestProto;
import org.apache.ratis.proto.grpc.AdminProtocolServiceGrpc;
import org.apache.ratis.proto.grpc.RaftServerProtocolServiceGrpc;
import org.apache.ratis.proto.grpc.RaftServerProtocolServiceGrpc.RaftServerProtocolServiceStub;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;
import org.apache.ratis.thirdparty.io.grpc.ManagedChannel;
import org.apache.ratis.thirdparty.io.grpc.Status;
import org.apache.ratis.thirdparty.io.grpc.netty.NegotiationType;
import org.apache.ratis.thirdparty.io.grpc.netty.NettyChannelBuilder;
import org.apache.ratis.thirdparty.io.grpc.stub.StreamObserver;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslContext;

/**
 * The router's gRPC path: Raft calls to a peer's Ratis gRPC Raft port through Ratis's own generated
 * {@code RaftServerProtocolService} stubs, one channel per peer, with the Raft port's TLS. Ratis
 * serves appendEntries and installSnapshot as bidirectional streams; each call here is one request
 * on a stream of its own, half-closed when its reply arrives, which is all Ratis's default appender
 * (one call at a time per follower) needs.
 */
final class GrpcRaftPath implements AutoCloseable {

  /** The limits Ratis's own channels to peers use. */
  record ChannelLimits(int maxMessageBytes, int flowControlWindowBytes) {}

  private final SslContext tls;
  private final ChannelLimits limits;
  private final RaftRpcMetrics metrics;
  private final Duration timeout;
  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();

  /**
   * @param tls the client side of the Raft port's mutual TLS; null when the Raft port is plaintext
   */
  GrpcRaftPath(SslContext tls, ChannelLimits limits, RaftRpcMetrics metrics, Duration timeout) {
    this.tls = tls;
    this.limits = limits;
    this.metrics = metrics;
    this.timeout = timeout;
  }

  /** A unary call ({@code requestVote}, {@code startLeaderElection}, {@code readIndex}). */
  <Q extends MessageLite, R extends MessageLite> CompletableFuture<R> unary(
      RaftPeer peer, String method, Q request, Unary<Q, R> call) {
    Measured<R> reply = new Measured<>(method, peer, request);
    try {
      call.send(stub(peer), request, reply);
    } catch (RuntimeException e) {
      reply.onError(e);
    }
    return reply.future;
  }

  /** One request on a stream of its own ({@code appendEntries}, {@code installSnapshot}). */
  <Q extends MessageLite, R extends MessageLite> CompletableFuture<R> streamed(
      RaftPeer peer,
      String method,
      Q request,
      BiFunction<RaftServerProtocolServiceStub, StreamObserver<R>, StreamObserver<Q>> open) {
    Measured<R> reply = new Measured<>(method, peer, request);
    try {
      StreamObserver<Q> requests = open.apply(stub(peer), reply);
      reply.future.whenComplete(
          (r, e) -> {
            if (e == null) {
              requests.onCompleted();
            }
          });
      requests.onNext(request);
    } catch (RuntimeException e) {
      reply.onError(e);
    }
    return reply.future;
  }

  /**
   * A long-lived appendEntries stream to the peer's Ratis gRPC service, for the {@link
   * PipelinedLogAppender}: no deadline (a request unanswered in time is the appender's to notice),
   * Ratis's follower answers in order.
   */
  AppendStream appendStream(RaftPeer peer, MeasuredAppendStream measured) {
    String target = peer.getId().toString();
    StreamObserver<AppendEntriesReplyProto> replies =
        new StreamObserver<>() {
          @Override
          public void onNext(AppendEntriesReplyProto reply) {
            measured.onReply(reply);
          }

          @Override
          public void onError(Throwable t) {
            measured.onError(toIOException(t, target));
          }

          @Override
          public void onCompleted() {
            measured.onError(
                new IOException(
                    "the follower "
                        + target
                        + " ended the appendEntries stream (expected: the leader ends it)"));
          }
        };
    StreamObserver<AppendEntriesRequestProto> requests;
    try {
      requests = RaftServerProtocolServiceGrpc.newStub(channel(peer)).appendEntries(replies);
    } catch (RuntimeException e) {
      replies.onError(e);
      return AppendStream.Closed.INSTANCE;
    }
    return new AppendStream() {
      @Override
      public void send(AppendEntriesRequestProto request) {
        measured.sending(request);
        try {
          requests.onNext(request);
        } catch (RuntimeException e) {
          replies.onError(e);
        }
      }

      @Override
      public void cancel() {
        try {
          requests.onError(Status.CANCELLED.withDescription("appender reset").asException());
        } catch (RuntimeException e) {
          // Already ended.
        }
      }
    };
  }

  /**
   * A probe of the peer's Raft port: Ratis's admin {@code groupList}, read-only, answered by the
   * peer's Ratis server, within {@code deadline}.
   */
  CompletableFuture<GroupListReplyProto> groupList(
      RaftPeer peer, GroupListRequestProto request, Duration deadline) {
    Measured<GroupListReplyProto> reply = new Measured<>("GroupList", peer, request);
    try {
      AdminProtocolServiceGrpc.newStub(channel(peer))
          .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
          .groupList(request, reply);
    } catch (RuntimeException e) {
      reply.onError(e);
    }
    return reply.future;
  }

  /** How a unary call is sent on a stub. */
  @FunctionalInterface
  interface Unary<Q, R> {
    void send(RaftServerProtocolServiceStub stub, Q request, StreamObserver<R> reply);
  }

  private RaftServerProtocolServiceStub stub(RaftPeer peer) {
    return RaftServerProtocolServiceGrpc.newStub(channel(peer))
        .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
  }

  private ManagedChannel channel(RaftPeer peer) {
    return channels.computeIfAbsent(peer.getAddress(), this::newChannel);
  }

  private ManagedChannel newChannel(String address) {
    NettyChannelBuilder builder =
        NettyChannelBuilder.forTarget(address)
            .proxyDetector(uri -> null)
            .disableRetry()
            .maxInboundMessageSize(limits.maxMessageBytes())
            .flowControlWindow(limits.flowControlWindowBytes());
    if (tls == null) {
      builder.negotiationType(NegotiationType.PLAINTEXT);
    } else {
      builder.useTransportSecurity().sslContext(tls).negotiationType(NegotiationType.TLS);
    }
    return builder.build();
  }

  /** Forgets the channel to {@code peer}, no longer in the group. */
  void forget(RaftPeer peer) {
    ManagedChannel channel = channels.remove(peer.getAddress());
    if (channel != null) {
      channel.shutdownNow();
    }
  }

  @Override
  public void close() {
    channels.values().forEach(ManagedChannel::shutdownNow);
    channels.clear();
  }

  /** The exception Ratis sees for a failed gRPC Raft call to {@code target}. */
  static IOException toIOException(Throwable failure, String target) {
    if (failure instanceof IOException io) {
      return io;
    }
    Status status = Status.fromThrowable(failure);
    String message =
        "Raft call to "
            + target
            + " over gRPC failed: "
            + status.getCode()
            + (status.getDescription() == null ? "" : " " + status.getDescription());
    IOException io =
        switch (status.getCode()) {
          case UNAVAILABLE, CANCELLED -> new ConnectException(message);
          case DEADLINE_EXCEEDED -> new TimeoutIOException(message);
          default -> {
            // Ratis's server sends its IOExceptions (not leader, group not here) in the metadata.
            IOException sent = GrpcUtil.unwrapIOException(failure);
            yield sent != null ? sent : new IOException(message);
          }
        };
    if (io.getCause() == null && io != failure) {
      io.initCause(failure);
    }
    return io;
  }

  /** A reply observer that completes a future and measures the call. */
  private final class Measured<R extends MessageLite> implements StreamObserver<R> {

    final CompletableFuture<R> future = new CompletableFuture<>();
    private final String method;
    private final String target;
    private final long start = System.nanoTime();

    Measured(String method, RaftPeer peer, MessageLite request) {
      this.method = method;
      this.target = peer.getId().toString();
      metrics.bytes(method, true, request.getSerializedSize());
    }

    @Override
    public void onNext(R value) {
      metrics.bytes(method, false, value.getSerializedSize());
      metrics.call(method, System.nanoTime() - start, true);
      future.complete(value);
    }

    @Override
    public void onError(Throwable t) {
      if (!future.isDone()) {
        metrics.call(method, System.nanoTime() - start, false);
      }
      future.completeExceptionally(toIOException(t, target));
    }

    @Override
    public void onCompleted() {
      if (!future.isDone()) {
        onError(Status.INTERNAL.withDescription("no reply").asRuntimeException());
      }
    }
  }
}
