package io.blixard.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.transport.quic.EchoTestService;
import io.grpc.BindableService;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.Context;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a caller sees of every call shape — unary, server-streaming, client-streaming, bidirectional
 * — with deadlines, cancellation, errors and large messages: written once, run over every transport
 * (one subclass per transport), so a generated stub behaves the same whichever channel it is given.
 */
@Timeout(30)
public abstract class CallShapesContractTest {

  /** A server of the given services and a client channel to it. */
  protected interface Served extends AutoCloseable {
    Channel channel();

    @Override
    void close();
  }

  @TempDir protected Path tmp;

  protected final EchoTestService echo = new EchoTestService();
  private Served served;
  protected EchoServiceGrpc.EchoServiceBlockingStub blocking;

  /** Starts a server of {@code services} on this transport, and a client channel to it. */
  protected abstract Served serve(Path dir, List<BindableService> services) throws Exception;

  @BeforeEach
  void start() throws Exception {
    served = serve(tmp, List.of(echo));
    blocking = EchoServiceGrpc.newBlockingStub(channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  @AfterEach
  void stop() {
    served.close();
  }

  protected Channel channel() {
    return served.channel();
  }

  protected static EchoRequest request(String text) {
    return EchoRequest.newBuilder().setText(text).build();
  }

  /** A unary call whose handler holds the answer for {@code millis}, unless cancelled first. */
  protected static EchoRequest slow(int millis) {
    return EchoRequest.newBuilder().setText("slow").setCount(millis).build();
  }

  @Test
  void shouldAnswerAUnaryCallThroughTheBlockingStub() {
    assertThat(blocking.unary(request("hello")).getText()).isEqualTo("hello");
  }

  @Test
  void shouldAnswerThroughTheFutureStub() throws Exception {
    var future = EchoServiceGrpc.newFutureStub(channel()).unary(request("future"));

    assertThat(future.get(10, TimeUnit.SECONDS).getText()).isEqualTo("future");
  }

  @Test
  void shouldCarryAMessageOfAlmostFourMebibytesBothWays() {
    byte[] bytes = new byte[4 * 1024 * 1024 - 64];
    new java.util.Random(7).nextBytes(bytes);
    ByteString big = ByteString.copyFrom(bytes);

    EchoResponse response =
        blocking.unary(EchoRequest.newBuilder().setText("big").setPayload(big).build());

    assertThat(response.getPayload()).isEqualTo(big);
  }

  @Test
  protected void shouldRefuseARequestOverFourMebibytesWithResourceExhausted() {
    ByteString tooBig = ByteString.copyFrom(new byte[4 * 1024 * 1024 + 1]);

    assertThatThrownBy(
            () ->
                blocking.unary(EchoRequest.newBuilder().setText("big").setPayload(tooBig).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED));
    assertThat(echo.calls).hasValue(0);
    // The channel goes on serving.
    assertThat(blocking.unary(request("after")).getText()).isEqualTo("after");
  }

  @Test
  void shouldStreamManyResponsesInOrder() {
    List<EchoResponse> responses = new ArrayList<>();
    blocking
        .serverStream(EchoRequest.newBuilder().setText("s").setCount(10_000).build())
        .forEachRemaining(responses::add);

    assertThat(responses).hasSize(10_000);
    for (int i = 0; i < responses.size(); i++) {
      assertThat(responses.get(i).getSequence()).isEqualTo(i);
    }
  }

  @Test
  void shouldCollectAClientStream() throws Exception {
    CompletableFuture<EchoResponse> result = new CompletableFuture<>();
    StreamObserver<EchoRequest> requests =
        EchoServiceGrpc.newStub(channel()).clientStream(observer(result, new ArrayList<>()));
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
        EchoServiceGrpc.newStub(channel()).clientStream(observer(result, new ArrayList<>()));
    requests.onCompleted();

    EchoResponse response = result.get(10, TimeUnit.SECONDS);
    assertThat(response.getText()).isEmpty();
    assertThat(response.getSequence()).isZero();
  }

  @Test
  void shouldEchoBothWaysInOrder() throws Exception {
    CompletableFuture<EchoResponse> done = new CompletableFuture<>();
    List<EchoResponse> seen = new ArrayList<>();
    StreamObserver<EchoRequest> requests =
        EchoServiceGrpc.newStub(channel()).bidi(observer(done, seen));
    for (int i = 0; i < 100; i++) {
      requests.onNext(request("m" + i));
    }
    requests.onCompleted();

    done.get(10, TimeUnit.SECONDS);
    synchronized (seen) {
      assertThat(seen).hasSize(100);
      for (int i = 0; i < seen.size(); i++) {
        assertThat(seen.get(i).getText()).isEqualTo("m" + i);
        assertThat(seen.get(i).getSequence()).isEqualTo(i);
      }
    }
  }

  @Test
  void shouldCarryTheHandlersStatusAndMessage() {
    assertStatus(
        () ->
            blocking.unary(
                EchoRequest.newBuilder()
                    .setText("no such thing")
                    .setFailWithCode(Status.Code.NOT_FOUND.value())
                    .build()),
        Status.Code.NOT_FOUND,
        "no such thing");
  }

  @Test
  void shouldEndAStreamWithTheHandlersErrorAfterItsMessages() {
    Iterator<EchoResponse> iterator =
        blocking.serverStream(
            EchoRequest.newBuilder()
                .setText("x")
                .setCount(3)
                .setFailWithCode(Status.Code.ABORTED.value())
                .build());
    List<Long> received = new ArrayList<>();
    assertThatThrownBy(
            () -> {
              while (iterator.hasNext()) {
                received.add((long) iterator.next().getSequence());
              }
            })
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ABORTED);
              assertThat(e.getStatus().getDescription()).isEqualTo("x");
            });
    assertThat(received).containsExactly(0L, 1L, 2L);
  }

  @Test
  void shouldAnswerAnUnknownMethodUnimplementedNamingIt() {
    MethodDescriptor<EchoRequest, EchoResponse> missing =
        EchoServiceGrpc.getUnaryMethod().toBuilder()
            .setFullMethodName("blixard.test.v1.EchoService/NoSuchMethod")
            .build();

    assertThatThrownBy(
            () ->
                ClientCalls.blockingUnaryCall(
                    channel(),
                    missing,
                    CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
                    request("nobody")))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
              assertThat(e.getStatus().getDescription())
                  .contains("blixard.test.v1.EchoService/NoSuchMethod");
            });
  }

  @Test
  void shouldAnswerDeadlineExceededAndCancelTheHandler() throws Exception {
    // Connected first, so that the deadline is spent on the call, not on a handshake.
    blocking.unary(request("warm"));

    assertStatus(
        () ->
            EchoServiceGrpc.newBlockingStub(channel())
                .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                .unary(slow(20_000)),
        Status.Code.DEADLINE_EXCEEDED,
        null);
    // The deadline travelled with the call: the handler's context was cancelled on the server.
    assertThat(echo.cancelled.await(10, TimeUnit.SECONDS)).isTrue();
  }

  @Test
  void shouldCarryACancellationOfAUnaryCallWaitingForItsAnswerToTheHandler() throws Exception {
    blocking.unary(request("warm"));
    // The request is out and its handler runs: the caller waits for nothing but the answer.
    var answer = EchoServiceGrpc.newFutureStub(channel()).unary(slow(120_000));
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> echo.calls.get() == 2);

    answer.cancel(true);

    // The handler holds its answer for two minutes unless its context is cancelled.
    assertThat(echo.cancelled.await(10, TimeUnit.SECONDS)).isTrue();
    // The channel goes on serving.
    assertThat(blocking.unary(request("after")).getText()).isEqualTo("after");
  }

  @Test
  void shouldCarryACancellationOfAHalfClosedClientStreamToTheHandler() throws Exception {
    List<ClientCallStreamObserver<EchoRequest>> call = new ArrayList<>();
    CompletableFuture<EchoResponse> result = new CompletableFuture<>();
    StreamObserver<EchoRequest> requests =
        EchoServiceGrpc.newStub(channel())
            .clientStream(
                new ClientResponseObserver<EchoRequest, EchoResponse>() {
                  @Override
                  public void beforeStart(ClientCallStreamObserver<EchoRequest> requestStream) {
                    call.add(requestStream);
                  }

                  @Override
                  public void onNext(EchoResponse value) {
                    result.complete(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    result.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    // The handler answers two minutes after the client's last message, unless cancelled.
    requests.onNext(slow(120_000));
    requests.onCompleted();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> echo.halfClosed.get() == 1);

    call.get(0).cancel("the caller gave up", null);

    assertThat(echo.cancelled.await(10, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> result.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED));
  }

  @Test
  void shouldCarryACancellationOfAServerStreamToTheHandler() throws Exception {
    Context.CancellableContext context = Context.current().withCancellation();
    Iterator<EchoResponse> responses =
        context.call(
            () ->
                EchoServiceGrpc.newBlockingStub(channel())
                    .serverStream(EchoRequest.newBuilder().setCount(100_000_000).build()));
    responses.next();

    context.cancel(null);

    assertThat(echo.cancelled.await(10, TimeUnit.SECONDS)).isTrue();
    assertStatus(
        () -> {
          while (responses.hasNext()) {
            responses.next();
          }
        },
        Status.Code.CANCELLED,
        null);
    // The channel goes on serving.
    assertThat(blocking.unary(request("after")).getText()).isEqualTo("after");
  }

  @Test
  void shouldCarryACancellationOfABidiCallToTheHandler() throws Exception {
    CompletableFuture<EchoResponse> first = new CompletableFuture<>();
    CompletableFuture<Void> ended = new CompletableFuture<>();
    List<ClientCallStreamObserver<EchoRequest>> call = new ArrayList<>();
    StreamObserver<EchoRequest> requests =
        EchoServiceGrpc.newStub(channel())
            .bidi(
                new ClientResponseObserver<EchoRequest, EchoResponse>() {
                  @Override
                  public void beforeStart(ClientCallStreamObserver<EchoRequest> requestStream) {
                    call.add(requestStream);
                  }

                  @Override
                  public void onNext(EchoResponse value) {
                    first.complete(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    ended.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {
                    ended.complete(null);
                  }
                });
    requests.onNext(request("one"));
    assertThat(first.get(10, TimeUnit.SECONDS).getText()).isEqualTo("one");

    call.get(0).cancel("the caller gave up", null);

    assertThat(echo.cancelled.await(10, TimeUnit.SECONDS)).isTrue();
    assertThatThrownBy(() -> ended.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED));
  }

  @Test
  void shouldAnswerManyConcurrentCallsEachWithItsOwnAnswer() throws Exception {
    var stub = EchoServiceGrpc.newFutureStub(channel()).withDeadlineAfter(20, TimeUnit.SECONDS);
    List<com.google.common.util.concurrent.ListenableFuture<EchoResponse>> calls =
        new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      calls.add(stub.unary(request("c" + i)));
    }

    for (int i = 0; i < calls.size(); i++) {
      assertThat(calls.get(i).get(20, TimeUnit.SECONDS).getText()).isEqualTo("c" + i);
    }
  }

  /** Asserts the call fails with the code and, when given, exactly this description. */
  protected static void assertStatus(Runnable call, Status.Code code, String description) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              if (description != null) {
                assertThat(e.getStatus().getDescription()).isEqualTo(description);
              }
            });
  }

  /** Completes {@code result} with the last response, collecting every response in {@code seen}. */
  protected static StreamObserver<EchoResponse> observer(
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
