package io.blixard.transport.quic.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.transport.quic.QuicLoopback;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Inbound flow control on the client: a consumer that asks for one message at a time holds the
 * server back through QUIC flow control instead of buffering the whole stream.
 */
@Timeout(60)
class QuicClientFlowControlTest {

  private static final int MESSAGES = 1000;
  private static final int MESSAGE_BYTES = 32 * 1024;
  // The client's stream window, the smallest QUIC allows here: two messages.
  private static final long WINDOW = 64 * 1024;
  // What the client reads ahead of its consumer before it stops reading, with room for one read.
  private static final int READ_AHEAD = 32;

  @TempDir Path tmp;

  @Test
  void shouldHoldBackAServerStreamUntilTheConsumerAsksForMore() throws Exception {
    Flood flood = new Flood();
    QuicClientSettings d = QuicClientSettings.defaults();
    QuicClientSettings smallWindow =
        new QuicClientSettings(
            d.alpn(),
            d.maxFrameSize(),
            d.connectTimeout(),
            d.idleTimeout(),
            d.keepAliveInterval(),
            d.idleEviction(),
            d.maxConnections(),
            WINDOW,
            d.connectionWindow());
    try (QuicLoopback loopback =
        new QuicLoopback(
            tmp,
            List.of(flood),
            QuicLoopback.properties(
                io.blixard.transport.quic.QuicTransportProperties.ClientAuth.NONE,
                Duration.ofSeconds(30)),
            smallWindow,
            false)) {
      BlockingQueue<EchoResponse> received = new LinkedBlockingQueue<>();
      CompletableFuture<Status> closed = new CompletableFuture<>();
      ClientCall<EchoRequest, EchoResponse> call =
          loopback
              .channel()
              .newCall(
                  EchoServiceGrpc.getServerStreamMethod(),
                  CallOptions.DEFAULT.withDeadlineAfter(50, TimeUnit.SECONDS));
      call.start(
          new ClientCall.Listener<>() {
            @Override
            public void onMessage(EchoResponse message) {
              received.add(message);
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
              closed.complete(status);
            }
          },
          new Metadata());
      call.request(1);
      call.sendMessage(EchoRequest.newBuilder().setCount(MESSAGES).build());
      call.halfClose();
      assertThat(received.poll(10, TimeUnit.SECONDS)).isNotNull();

      // The server sends what flow control lets it, then finds the stream not ready, and stays
      // so while the consumer asks for nothing: it never gets to the end of its stream.
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> flood.stalledAfter > 0 || flood.done.isDone());
      await()
          .during(Duration.ofMillis(500))
          .atMost(Duration.ofSeconds(5))
          .until(() -> !flood.done.isDone());
      assertThat(((QuicClientCall<?, ?>) call).bufferedMessages()).isLessThanOrEqualTo(READ_AHEAD);
      // How far the server got is QUIC's to say (quiche widens a window that drains quickly);
      // that it stopped short of the end, and the client holds only its read-ahead, is ours.
      assertThat(flood.sent).isLessThan(MESSAGES);

      call.request(MESSAGES);
      assertThat(closed.get(30, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
      assertThat(received).hasSize(MESSAGES - 1);
      int expected = 1;
      for (EchoResponse response : received) {
        assertThat(response.getSequence()).isEqualTo(expected++);
      }
    }
  }

  /** Sends count messages of 32 KiB as fast as the stream is ready for them. */
  static final class Flood extends EchoServiceGrpc.EchoServiceImplBase {

    final CompletableFuture<Void> done = new CompletableFuture<>();
    volatile int stalledAfter;
    volatile int sent;

    @Override
    public void serverStream(EchoRequest request, StreamObserver<EchoResponse> observer) {
      var call = (ServerCallStreamObserver<EchoResponse>) observer;
      ByteString payload = ByteString.copyFrom(new byte[MESSAGE_BYTES]);
      Runnable pump =
          () -> {
            synchronized (this) {
              while (sent < request.getCount() && call.isReady()) {
                call.onNext(
                    EchoResponse.newBuilder().setPayload(payload).setSequence(sent).build());
                sent++;
              }
              if (sent == request.getCount()) {
                if (!done.isDone()) {
                  done.complete(null);
                  call.onCompleted();
                }
              } else {
                stalledAfter = sent;
              }
            }
          };
      call.setOnReadyHandler(pump);
      pump.run();
    }
  }
}
