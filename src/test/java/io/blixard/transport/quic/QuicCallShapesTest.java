package io.blixard.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class QuicCallShapesTest {

  @TempDir Path tmp;

  private final EchoTestService echo = new EchoTestService();
  private QuicLoopback loopback;
  private EchoServiceGrpc.EchoServiceBlockingStub blocking;

  @BeforeEach
  void start() {
    loopback = new QuicLoopback(tmp, List.of(echo));
    blocking =
        EchoServiceGrpc.newBlockingStub(loopback.channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    loopback.close();
  }

  private static EchoRequest request(String text) {
    return EchoRequest.newBuilder().setText(text).build();
  }

  @Test
  void shouldAnswerAUnaryCallThroughTheBlockingStub() {
    EchoResponse response = blocking.unary(request("hello"));

    assertThat(response.getText()).isEqualTo("hello");
    // Handlers may block: they run on the handler pool, never on the network event loop.
    assertThat(echo.lastThread).startsWith("blixard-quic-handler");
  }

  @Test
  void shouldAnswerThroughTheFutureStub() throws Exception {
    var future = EchoServiceGrpc.newFutureStub(loopback.channel()).unary(request("future"));

    assertThat(future.get(10, TimeUnit.SECONDS).getText()).isEqualTo("future");
  }

  @Test
  void shouldCarryAMessageOfAlmostFourMebibytes() {
    ByteString big = ByteString.copyFrom(new byte[4 * 1024 * 1024 - 64]);

    EchoResponse response =
        blocking.unary(EchoRequest.newBuilder().setText("big").setPayload(big).build());

    assertThat(response.getPayload().size()).isEqualTo(big.size());
  }

  @Test
  void shouldStreamManyResponses() {
    List<EchoResponse> responses = new ArrayList<>();
    blocking
        .serverStream(EchoRequest.newBuilder().setText("s").setCount(10_000).build())
        .forEachRemaining(responses::add);

    assertThat(responses).hasSize(10_000);
    assertThat(responses.get(9_999).getSequence()).isEqualTo(9_999);
  }

  @Test
  void shouldCollectAClientStream() throws Exception {
    CompletableFuture<EchoResponse> result = new CompletableFuture<>();
    StreamObserver<EchoRequest> requests =
        EchoServiceGrpc.newStub(loopback.channel())
            .clientStream(observer(result, new ArrayList<>()));
    for (String part : List.of("a", "b", "c")) {
      requests.onNext(request(part));
    }
    requests.onCompleted();

    EchoResponse response = result.get(10, TimeUnit.SECONDS);
    assertThat(response.getText()).isEqualTo("abc");
    assertThat(response.getSequence()).isEqualTo(3);
  }

  @Test
  void shouldCollectAnEmptyClientStream() throws Exception {
    CompletableFuture<EchoResponse> result = new CompletableFuture<>();
    StreamObserver<EchoRequest> requests =
        EchoServiceGrpc.newStub(loopback.channel())
            .clientStream(observer(result, new ArrayList<>()));
    requests.onCompleted();

    assertThat(result.get(10, TimeUnit.SECONDS).getSequence()).isZero();
  }

  @Test
  void shouldEchoBothWays() throws Exception {
    CompletableFuture<EchoResponse> done = new CompletableFuture<>();
    List<EchoResponse> seen = new ArrayList<>();
    StreamObserver<EchoRequest> requests =
        EchoServiceGrpc.newStub(loopback.channel()).bidi(observer(done, seen));
    for (int i = 0; i < 5; i++) {
      requests.onNext(request("m" + i));
    }
    requests.onCompleted();

    done.get(10, TimeUnit.SECONDS);
    synchronized (seen) {
      assertThat(seen)
          .extracting(EchoResponse::getText)
          .containsExactly("m0", "m1", "m2", "m3", "m4");
    }
  }

  @Test
  void shouldCarryTheHandlersStatusAndMessage() {
    assertThatThrownBy(
            () ->
                blocking.unary(
                    EchoRequest.newBuilder()
                        .setText("no such thing")
                        .setFailWithCode(Status.Code.NOT_FOUND.value())
                        .build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND);
              assertThat(e.getStatus().getDescription()).isEqualTo("no such thing");
            });
  }

  @Test
  void shouldEndAStreamWithTheHandlersErrorAfterItsMessages() {
    var iterator =
        blocking.serverStream(
            EchoRequest.newBuilder()
                .setText("x")
                .setCount(3)
                .setFailWithCode(Status.Code.ABORTED.value())
                .build());
    int received = 0;
    try {
      while (iterator.hasNext()) {
        iterator.next();
        received++;
      }
    } catch (StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
    }
    assertThat(received).isEqualTo(3);
  }

  @Test
  void shouldShareOneConnectionBetweenManyCalls() throws Exception {
    List<CompletableFuture<String>> calls = new ArrayList<>();
    var stub = EchoServiceGrpc.newFutureStub(loopback.channel());
    for (int i = 0; i < 200; i++) {
      var f = stub.unary(request("c" + i));
      CompletableFuture<String> c = new CompletableFuture<>();
      f.addListener(
          () -> {
            try {
              c.complete(f.get().getText());
            } catch (Exception e) {
              c.completeExceptionally(e);
            }
          },
          Runnable::run);
      calls.add(c);
    }
    for (int i = 0; i < calls.size(); i++) {
      assertThat(calls.get(i).get(20, TimeUnit.SECONDS)).isEqualTo("c" + i);
    }
    assertThat(loopback.pool.size()).isEqualTo(1);
  }

  @Test
  void shouldTimeServerAndClientCallsPerTransportServiceMethodAndStatus() {
    blocking.unary(request("timed"));

    // The server's observation ends when the call completes, which may be after the client has
    // its answer.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(
                        loopback
                            .serverMeters
                            .get("blixard.rpc.server")
                            .tags("transport", "quic", "method", "Unary", "status", "OK")
                            .timer()
                            .count())
                    .isEqualTo(1));
    assertThat(
            loopback
                .clientMeters
                .get("blixard.rpc.client")
                .tags("transport", "quic", "method", "Unary", "status", "OK")
                .timer()
                .count())
        .isEqualTo(1);
  }

  @Test
  void shouldReleaseEveryStreamOnBothSidesOnceItsCallHasEnded() throws Exception {
    blocking.unary(request("unary"));
    blocking
        .serverStream(EchoRequest.newBuilder().setText("s").setCount(3).build())
        .forEachRemaining(r -> {});
    assertThatThrownBy(
            () ->
                blocking.unary(
                    EchoRequest.newBuilder()
                        .setText("fails")
                        .setFailWithCode(Status.Code.NOT_FOUND.value())
                        .build()))
        .isInstanceOf(StatusRuntimeException.class);
    CompletableFuture<EchoResponse> collected = new CompletableFuture<>();
    StreamObserver<EchoRequest> up =
        EchoServiceGrpc.newStub(loopback.channel())
            .clientStream(observer(collected, new ArrayList<>()));
    up.onNext(request("a"));
    up.onCompleted();
    collected.get(10, TimeUnit.SECONDS);
    CompletableFuture<EchoResponse> echoed = new CompletableFuture<>();
    StreamObserver<EchoRequest> both =
        EchoServiceGrpc.newStub(loopback.channel()).bidi(observer(echoed, new ArrayList<>()));
    both.onNext(request("b"));
    both.onCompleted();
    echoed.get(10, TimeUnit.SECONDS);

    // Every stream channel is closed and forgotten on the server once its call is over, the
    // client's FIN or not; none lingers until the connection closes.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(loopback.serverStreamsOpen()).isZero());
  }

  static StreamObserver<EchoResponse> observer(
      CompletableFuture<EchoResponse> result, List<EchoResponse> seen) {
    return new StreamObserver<>() {
      EchoResponse last;

      @Override
      public void onNext(EchoResponse value) {
        synchronized (seen) {
          seen.add(value);
        }
        last = value;
      }

      @Override
      public void onError(Throwable t) {
        result.completeExceptionally(t);
      }

      @Override
      public void onCompleted() {
        result.complete(last);
      }
    };
  }
}
