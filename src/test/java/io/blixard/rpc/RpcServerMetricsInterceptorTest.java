package io.blixard.rpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.transport.Transport;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class RpcServerMetricsInterceptorTest {

  private static final String SERVICE = "blixard.test.v1.EchoService";

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final EchoService echo = new EchoService();
  private Server server;
  private ManagedChannel channel;

  /**
   * Unary echoes the text, fails with {@code fail_with_code} when set, throws for the text {@code
   * "throw"}, and with {@code count > 0} never answers, waiting for the client to cancel.
   */
  static final class EchoService extends EchoServiceGrpc.EchoServiceImplBase {

    final CountDownLatch received = new CountDownLatch(1);
    final CountDownLatch cancelled = new CountDownLatch(1);

    @Override
    public void unary(EchoRequest request, StreamObserver<EchoResponse> responseObserver) {
      if (request.getFailWithCode() != 0) {
        responseObserver.onError(
            Status.fromCodeValue(request.getFailWithCode())
                .withDescription(request.getText())
                .asRuntimeException());
        return;
      }
      if (request.getText().equals("throw")) {
        throw new IllegalStateException("handler bug");
      }
      if (request.getCount() > 0) {
        ((ServerCallStreamObserver<EchoResponse>) responseObserver)
            .setOnCancelHandler(cancelled::countDown);
        received.countDown();
        return;
      }
      responseObserver.onNext(EchoResponse.newBuilder().setText(request.getText()).build());
      responseObserver.onCompleted();
    }

    @Override
    public void serverStream(EchoRequest request, StreamObserver<EchoResponse> responseObserver) {
      for (int i = 0; i < request.getCount(); i++) {
        responseObserver.onNext(EchoResponse.newBuilder().setSequence(i).build());
      }
      responseObserver.onCompleted();
    }
  }

  @BeforeEach
  void startServer() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(
                ServerInterceptors.intercept(
                    echo, new RpcServerMetricsInterceptor(registry, Transport.GRPC)))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stopServer() throws Exception {
    channel.shutdownNow();
    server.shutdownNow();
    channel.awaitTermination(5, TimeUnit.SECONDS);
    server.awaitTermination(5, TimeUnit.SECONDS);
  }

  private Timer timer(String method, String status) {
    return registry
        .find(RpcServerMetricsInterceptor.METRIC)
        .tags("transport", "grpc", "service", SERVICE, "method", method, "status", status)
        .timer();
  }

  @Test
  void shouldRecordASuccessfulCallAsOk() {
    EchoResponse response =
        EchoServiceGrpc.newBlockingStub(channel)
            .unary(EchoRequest.newBuilder().setText("hi").build());

    assertThat(response.getText()).isEqualTo("hi");
    Timer timer = timer("Unary", "OK");
    assertThat(timer).as("timer %s{status=OK}", RpcServerMetricsInterceptor.METRIC).isNotNull();
    assertThat(timer.count()).isEqualTo(1);
    assertThat(timer.getId().getDescription()).isNotBlank();
  }

  @Test
  void shouldRecordEachCallOnce() {
    var stub = EchoServiceGrpc.newBlockingStub(channel);

    stub.unary(EchoRequest.getDefaultInstance());
    stub.unary(EchoRequest.getDefaultInstance());

    assertThat(timer("Unary", "OK").count()).isEqualTo(2);
    assertThat(registry.find(RpcServerMetricsInterceptor.METRIC).timers()).hasSize(1);
  }

  @Test
  void shouldRecordTheStatusCodeOfAFailingCall() {
    var stub = EchoServiceGrpc.newBlockingStub(channel);

    assertThatExceptionOfType(StatusRuntimeException.class)
        .isThrownBy(
            () ->
                stub.unary(
                    EchoRequest.newBuilder()
                        .setText("no such thing")
                        .setFailWithCode(Status.Code.NOT_FOUND.value())
                        .build()))
        .satisfies(e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));

    assertThat(timer("Unary", "NOT_FOUND")).isNotNull().extracting(Timer::count).isEqualTo(1L);
    assertThat(timer("Unary", "OK")).isNull();
  }

  @Test
  void shouldTagTheMethodOfAStreamingCall() {
    var responses =
        EchoServiceGrpc.newBlockingStub(channel)
            .serverStream(EchoRequest.newBuilder().setCount(3).build());
    responses.forEachRemaining(r -> {});

    assertThat(timer("ServerStream", "OK")).isNotNull().extracting(Timer::count).isEqualTo(1L);
  }

  @Test
  void shouldRecordACallTheClientCancelledAsCancelled() throws Exception {
    ClientCall<EchoRequest, EchoResponse> call =
        channel.newCall(EchoServiceGrpc.getUnaryMethod(), CallOptions.DEFAULT);
    call.start(new ClientCall.Listener<>() {}, new Metadata());
    call.sendMessage(EchoRequest.newBuilder().setCount(1).build());
    call.halfClose();
    call.request(1);
    assertThat(echo.received.await(5, TimeUnit.SECONDS))
        .as("the server received the call")
        .isTrue();

    call.cancel("client gave up", null);

    // The interceptor records before it passes onCancel on to the handler.
    assertThat(echo.cancelled.await(5, TimeUnit.SECONDS))
        .as("the server saw the cancellation")
        .isTrue();
    assertThat(timer("Unary", "CANCELLED")).isNotNull().extracting(Timer::count).isEqualTo(1L);
    assertThat(registry.find(RpcServerMetricsInterceptor.METRIC).timers()).hasSize(1);
  }

  @Test
  void shouldRecordAHandlerThatThrowsAsUnknown() throws Exception {
    var stub = EchoServiceGrpc.newBlockingStub(channel);

    assertThatExceptionOfType(StatusRuntimeException.class)
        .isThrownBy(() -> stub.unary(EchoRequest.newBuilder().setText("throw").build()))
        .satisfies(e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNKNOWN));

    // Every server callback has run once the server has terminated.
    server.shutdown();
    assertThat(server.awaitTermination(5, TimeUnit.SECONDS)).isTrue();
    assertThat(timer("Unary", "UNKNOWN")).isNotNull().extracting(Timer::count).isEqualTo(1L);
  }

  @Test
  void shouldRequireARegistryAndATransport() {
    assertThatNullPointerException()
        .isThrownBy(() -> new RpcServerMetricsInterceptor(null, Transport.GRPC))
        .withMessage("registry");
    assertThatNullPointerException()
        .isThrownBy(() -> new RpcServerMetricsInterceptor(registry, null))
        .withMessage("transport");
  }
}
