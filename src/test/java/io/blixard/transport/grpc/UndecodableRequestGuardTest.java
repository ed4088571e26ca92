package io.blixard.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.rpc.UndecodableRequests;
import io.blixard.support.RawMethods;
import io.blixard.transport.Transport;
import io.blixard.transport.quic.EchoTestService;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.slf4j.LoggerFactory;

/**
 * Requests that do not parse, on an in-process gRPC server whose service is guarded as the node's
 * are: INVALID_ARGUMENT, the handler never sees the bytes (or sees its call cancelled when they
 * come mid-stream), and one WARN line without a stack trace for many such calls.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class UndecodableRequestGuardTest {

  private static final byte[] NOT_PROTOBUF = {(byte) 0xff, (byte) 0xff, (byte) 0xff};

  private final EchoTestService echo = new EchoTestService();
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();
  private final Logger logger = (Logger) LoggerFactory.getLogger(UndecodableRequests.class);
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    logged.start();
    logger.addAppender(logged);
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .addService(
                UndecodableRequestGuard.guard(
                    echo.bindService(), new UndecodableRequests(Transport.GRPC)))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    logger.detachAppender(logged);
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private void unaryWithBadBytes() {
    ClientCalls.blockingUnaryCall(
        channel,
        RawMethods.of(EchoServiceGrpc.getUnaryMethod()),
        CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
        NOT_PROTOBUF);
  }

  @Test
  void aUnaryRequestThatDoesNotParseIsInvalidArgumentAndNeverReachesTheHandler() {
    assertThatThrownBy(this::unaryWithBadBytes)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo(
                      "the request message of blixard.test.v1.EchoService/Unary does not parse:"
                          + " INTERNAL: Invalid protobuf byte sequence");
            });
    assertThat(echo.calls.get()).isZero();

    EchoResponse answer =
        EchoServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .unary(EchoRequest.newBuilder().setText("still here").build());
    assertThat(answer.getText()).isEqualTo("still here");
  }

  @Test
  void aStreamedRequestThatDoesNotParseEndsTheCallAndCancelsTheHandler() throws Exception {
    List<byte[]> answers = new CopyOnWriteArrayList<>();
    CompletableFuture<Status> closed = new CompletableFuture<>();
    StreamObserver<byte[]> requests =
        ClientCalls.asyncBidiStreamingCall(
            channel.newCall(
                RawMethods.of(EchoServiceGrpc.getBidiMethod()),
                CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS)),
            new StreamObserver<>() {
              @Override
              public void onNext(byte[] value) {
                answers.add(value);
              }

              @Override
              public void onError(Throwable t) {
                closed.complete(Status.fromThrowable(t));
              }

              @Override
              public void onCompleted() {
                closed.complete(Status.OK);
              }
            });
    requests.onNext(EchoRequest.newBuilder().setText("first").build().toByteArray());
    requests.onNext(NOT_PROTOBUF);

    Status status = closed.get(10, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription())
        .startsWith("the request message of blixard.test.v1.EchoService/Bidi does not parse");
    assertThat(echo.cancelled.await(10, TimeUnit.SECONDS))
        .as("the handler sees its call end")
        .isTrue();
    assertThat(answers).hasSizeLessThanOrEqualTo(1);
  }

  @Test
  void manyRequestsThatDoNotParseAreLoggedOnceAtWarnWithoutAStackTrace() {
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(this::unaryWithBadBytes).isInstanceOf(StatusRuntimeException.class);
    }

    assertThat(logged.list).hasSize(1);
    ILoggingEvent line = logged.list.get(0);
    assertThat(line.getLevel()).isEqualTo(Level.WARN);
    assertThat(line.getThrowableProxy()).isNull();
    assertThat(line.getFormattedMessage())
        .startsWith("Refused 1 call(s) over grpc whose request message did not parse")
        .contains("blixard.test.v1.EchoService/Unary");
  }
}
