package io.blixard.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.transport.CallShapesContractTest;
import io.grpc.BindableService;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The call shapes over Blixard RPC on QUIC on loopback, plus what only QUIC has: the handler pool,
 * one shared connection, per-transport meters and per-call streams.
 */
class QuicCallShapesTest extends CallShapesContractTest {

  private QuicLoopback loopback;

  @Override
  protected Served serve(Path dir, List<BindableService> services) {
    loopback = new QuicLoopback(dir, services);
    return new Served() {
      @Override
      public Channel channel() {
        return loopback.channel();
      }

      @Override
      public void close() {
        loopback.close();
      }
    };
  }

  @Test
  void shouldRunHandlersOnTheHandlerPoolNeverOnTheEventLoop() {
    blocking.unary(request("hello"));

    // Handlers may block: they run on the handler pool, never on the network event loop.
    assertThat(echo.lastThread).startsWith("blixard-quic-handler");
  }

  @Test
  void shouldShareOneConnectionBetweenManyCalls() throws Exception {
    var stub = EchoServiceGrpc.newFutureStub(channel()).withDeadlineAfter(20, TimeUnit.SECONDS);
    List<com.google.common.util.concurrent.ListenableFuture<EchoResponse>> calls =
        new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      calls.add(stub.unary(request("c" + i)));
    }
    for (int i = 0; i < calls.size(); i++) {
      assertThat(calls.get(i).get(20, TimeUnit.SECONDS).getText()).isEqualTo("c" + i);
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
        EchoServiceGrpc.newStub(channel()).clientStream(observer(collected, new ArrayList<>()));
    up.onNext(request("a"));
    up.onCompleted();
    collected.get(10, TimeUnit.SECONDS);
    CompletableFuture<EchoResponse> echoed = new CompletableFuture<>();
    StreamObserver<EchoRequest> both =
        EchoServiceGrpc.newStub(channel()).bidi(observer(echoed, new ArrayList<>()));
    both.onNext(request("b"));
    both.onCompleted();
    echoed.get(10, TimeUnit.SECONDS);

    // Every stream channel is closed and forgotten on the server once its call is over, the
    // client's FIN or not; none lingers until the connection closes.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(loopback.serverStreamsOpen()).isZero());
  }
}
