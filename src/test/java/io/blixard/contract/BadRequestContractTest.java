package io.blixard.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.blixard.proto.health.v1.CheckRequest;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.support.RawMethods;
import io.blixard.support.SingleNodeTestSupport;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * Request bytes that are not the method's protobuf message get the same answer over every transport
 * (one subclass per transport): INVALID_ARGUMENT naming the method, no stack trace in the node's
 * log, and the node goes on serving.
 */
public abstract class BadRequestContractTest extends SingleNodeTestSupport {

  /** A field tag whose varint never ends: no protobuf message parses from it. */
  private static final byte[] NOT_PROTOBUF = {(byte) 0xff, (byte) 0xff, (byte) 0xff};

  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeEach
  void captureLog() {
    logged.start();
    root().addAppender(logged);
  }

  @AfterEach
  void releaseLog() {
    root().detachAppender(logged);
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  private static CallOptions options() {
    return CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  private void assertNoErrorOrStackTraceLogged() {
    List<ILoggingEvent> bad =
        logged.list.stream()
            .filter(e -> e.getLevel() == Level.ERROR || e.getThrowableProxy() != null)
            .toList();
    assertThat(bad).extracting(ILoggingEvent::getFormattedMessage).isEmpty();
  }

  private void assertStillServes() {
    assertThat(
            HealthServiceGrpc.newBlockingStub(channel())
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .check(CheckRequest.getDefaultInstance())
                .getNodeId())
        .isEqualTo(identity.nodeId().value());
  }

  @Test
  void aUnaryRequestThatDoesNotParseIsInvalidArgumentNamingTheMethod() {
    MethodDescriptor<byte[], byte[]> check =
        RawMethods.of("blixard.health.v1.HealthService/Check", MethodDescriptor.MethodType.UNARY);

    for (int i = 0; i < 3; i++) {
      assertThatThrownBy(
              () -> ClientCalls.blockingUnaryCall(channel(), check, options(), NOT_PROTOBUF))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
                assertThat(e.getStatus().getDescription())
                    .isEqualTo(
                        "the request message of blixard.health.v1.HealthService/Check does not"
                            + " parse: INTERNAL: Invalid protobuf byte sequence");
              });
    }

    assertStillServes();
    assertNoErrorOrStackTraceLogged();
  }

  @Test
  void aServerStreamingRequestThatDoesNotParseIsInvalidArgumentNamingTheMethod() {
    MethodDescriptor<byte[], byte[]> pingStream =
        RawMethods.of(
            "blixard.health.v1.HealthService/PingStream",
            MethodDescriptor.MethodType.SERVER_STREAMING);

    assertThatThrownBy(
            () ->
                ClientCalls.blockingServerStreamingCall(
                        channel(), pingStream, options(), NOT_PROTOBUF)
                    .hasNext())
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .startsWith(
                      "the request message of blixard.health.v1.HealthService/PingStream does"
                          + " not parse");
            });

    assertStillServes();
    assertNoErrorOrStackTraceLogged();
  }
}
