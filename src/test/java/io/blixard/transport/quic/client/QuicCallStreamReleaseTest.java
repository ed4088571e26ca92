package io.blixard.transport.quic.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.transport.quic.EchoTestService;
import io.blixard.transport.quic.QuicLoopback;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client keeps its side of a call's stream open until the server has ended the call (so that a
 * CANCEL can follow at any time); once it has, both sides let go of the stream, and the call's slot
 * on the pooled connection comes back, whatever the call's shape.
 */
@Timeout(60)
class QuicCallStreamReleaseTest {

  @TempDir Path tmp;

  private final EchoTestService echo = new EchoTestService();

  @Test
  void shouldLetGoOfTheStreamOfEveryCallShapeOnBothSides() throws Exception {
    try (QuicLoopback loopback = new QuicLoopback(tmp, List.of(echo))) {
      var blocking =
          EchoServiceGrpc.newBlockingStub(loopback.channel())
              .withDeadlineAfter(10, TimeUnit.SECONDS);
      for (int i = 0; i < 20; i++) {
        assertThat(blocking.unary(EchoRequest.newBuilder().setText("u" + i).build()).getText())
            .isEqualTo("u" + i);
      }
      blocking
          .serverStream(EchoRequest.newBuilder().setText("s").setCount(5).build())
          .forEachRemaining(r -> {});
      CompletableFuture<Void> collected = new CompletableFuture<>();
      StreamObserver<EchoRequest> requests =
          EchoServiceGrpc.newStub(loopback.channel())
              .clientStream(
                  new StreamObserver<>() {
                    @Override
                    public void onNext(EchoResponse value) {}

                    @Override
                    public void onError(Throwable t) {
                      collected.completeExceptionally(t);
                    }

                    @Override
                    public void onCompleted() {
                      collected.complete(null);
                    }
                  });
      requests.onNext(EchoRequest.newBuilder().setText("c").build());
      requests.onCompleted();
      collected.get(10, TimeUnit.SECONDS);

      QuicConnection connection = loopback.pool.connection(loopback.target()).join();
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(connection.calls()).isZero();
                assertThat(loopback.serverStreamsOpen()).isZero();
              });
    }
  }
}
