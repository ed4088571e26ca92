package io.blixard.bench;

import com.google.protobuf.ByteString;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.proto.health.v1.PingRequest;
import io.blixard.proto.health.v1.PingResponse;
import io.blixard.proto.health.v1.PingStreamRequest;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * {@code HealthService/Ping} and {@code PingStream} through generated-stub calls on an {@link
 * Channel}: the same client code for every RPC transport, which differ only in their channels.
 * Each stack hands answers to its default callback executor (gRPC's and the QUIC pool's thread
 * pools), as applications get them.
 */
public final class RpcTarget implements Target {

  /** Opens and closes channels of one transport to one node. */
  public interface Channels {

    /** Readies what a new connection needs before a cold connect's clock starts (threads). */
    default void beforeColdConnect() {}

    /** A channel on a new connection. */
    Channel open() throws Exception;

    /** Closes a channel {@link #open()} gave, and its connection. */
    void close(Channel channel);
  }

  private static final long DEADLINE_SECONDS = 120;

  private final String name;
  private final Channels channels;
  private volatile Channel channel;
  private volatile byte[] lastPayload;
  private volatile PingRequest lastRequest;

  public RpcTarget(String name, Channels channels) {
    this.name = name;
    this.channels = channels;
  }

  @Override
  public String name() {
    return name;
  }

  @Override
  public void prepare(int workers) throws Exception {
    if (channel == null) {
      channel = channels.open();
    }
    unary(0, new byte[64]).get(60, TimeUnit.SECONDS);
  }

  private PingRequest request(byte[] payload) {
    // The same payload array is sent for a whole cell: build its message once.
    if (payload != lastPayload) {
      lastRequest = PingRequest.newBuilder().setPayload(ByteString.copyFrom(payload)).build();
      lastPayload = payload;
    }
    return lastRequest;
  }

  @Override
  public CompletableFuture<Void> unary(int worker, byte[] payload) {
    return ping(channel, request(payload));
  }

  private static CompletableFuture<Void> ping(Channel on, PingRequest request) {
    CompletableFuture<Void> answered = new CompletableFuture<>();
    ClientCalls.asyncUnaryCall(
        on.newCall(
            HealthServiceGrpc.getPingMethod(),
            CallOptions.DEFAULT.withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)),
        request,
        new StreamObserver<PingResponse>() {
          @Override
          public void onNext(PingResponse value) {
            if (value.getPayload().size() != request.getPayload().size()) {
              answered.completeExceptionally(
                  new IllegalStateException(
                      "echo of "
                          + value.getPayload().size()
                          + " bytes (expected: "
                          + request.getPayload().size()
                          + ")"));
            }
          }

          @Override
          public void onError(Throwable t) {
            answered.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            answered.complete(null);
          }
        });
    return answered;
  }

  @Override
  public CompletableFuture<Integer> stream(int count, byte[] payload) {
    CompletableFuture<Integer> finished = new CompletableFuture<>();
    int[] seen = new int[1];
    HealthServiceGrpc.newStub(channel)
        .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
        .pingStream(
            PingStreamRequest.newBuilder()
                .setCount(count)
                .setPayload(ByteString.copyFrom(payload))
                .build(),
            new StreamObserver<>() {
              @Override
              public void onNext(PingResponse value) {
                seen[0]++;
              }

              @Override
              public void onError(Throwable t) {
                finished.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                finished.complete(seen[0]);
              }
            });
    return finished;
  }

  @Override
  public long coldConnect() throws Exception {
    channels.beforeColdConnect();
    long began = System.nanoTime();
    Channel fresh = channels.open();
    try {
      ping(fresh, request(new byte[64])).get(60, TimeUnit.SECONDS);
      return System.nanoTime() - began;
    } finally {
      channels.close(fresh);
    }
  }

  @Override
  public void close() {
    Channel current = channel;
    channel = null;
    if (current != null) {
      channels.close(current);
    }
  }
}
