package io.blixard.transport.quic.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.transport.quic.QuicLoopback;
import io.grpc.BindableService;
import io.grpc.Context;
import io.grpc.MethodDescriptor;
import io.grpc.ServerServiceDefinition;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ServerCalls;
import io.netty.buffer.AbstractByteBuf;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.util.ResourceLeakDetector;
import java.io.InputStream;
import java.lang.reflect.Field;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A response that races the call's end (its deadline here; a CANCEL frame takes the same path)
 * releases its buffer: Netty's leak detector, at PARANOID, reports no buffer allocated by {@code
 * QuicServerCall.sendMessage} and never released.
 */
@Timeout(60)
class QuicServerCallLeakTest {

  @TempDir Path tmp;

  private final List<String> leaks = new CopyOnWriteArrayList<>();
  private ResourceLeakDetector.Level level;
  private ResourceLeakDetector<ByteBuf> detector;

  @BeforeEach
  @SuppressWarnings("unchecked")
  void detectLeaks() throws Exception {
    level = ResourceLeakDetector.getLevel();
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    Field field = AbstractByteBuf.class.getDeclaredField("leakDetector");
    field.setAccessible(true);
    detector = (ResourceLeakDetector<ByteBuf>) field.get(null);
    detector.setLeakListener((type, records) -> leaks.add(records));
  }

  @AfterEach
  void restore() {
    detector.setLeakListener(null);
    ResourceLeakDetector.setLevel(level);
  }

  @Test
  void shouldReleaseAResponseThatLosesTheRaceWithTheDeadline() throws Exception {
    try (QuicLoopback loopback = new QuicLoopback(tmp, List.of(lateResponder()))) {
      for (int i = 0; i < 3; i++) {
        assertThatThrownBy(
                () ->
                    EchoServiceGrpc.newBlockingStub(loopback.channel())
                        .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                        .unary(EchoRequest.newBuilder().setText("late").build()))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
      }
    }
    // A leak is reported when a lost buffer has been collected and another one is tracked.
    for (int i = 0;
        i < 20 && leaks.stream().noneMatch(QuicServerCallLeakTest::fromSendMessage);
        i++) {
      System.gc();
      ByteBufAllocator.DEFAULT.directBuffer(16).release();
    }
    assertThat(leaks).noneMatch(QuicServerCallLeakTest::fromSendMessage);
  }

  private static boolean fromSendMessage(String records) {
    return records.contains("QuicServerCall.sendMessage");
  }

  /**
   * The echo's unary method, whose response takes until the call's deadline has passed to
   * serialize: sendMessage is under way when the call ends.
   */
  private static BindableService lateResponder() {
    MethodDescriptor<EchoRequest, EchoResponse> unary = EchoServiceGrpc.getUnaryMethod();
    MethodDescriptor.Marshaller<EchoResponse> responses = unary.getResponseMarshaller();
    MethodDescriptor<EchoRequest, EchoResponse> late =
        unary.toBuilder()
            .setResponseMarshaller(
                new MethodDescriptor.Marshaller<>() {
                  @Override
                  public InputStream stream(EchoResponse value) {
                    CountDownLatch ended = new CountDownLatch(1);
                    Context.current().addListener(c -> ended.countDown(), Runnable::run);
                    try {
                      ended.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                      Thread.currentThread().interrupt();
                    }
                    return responses.stream(value);
                  }

                  @Override
                  public EchoResponse parse(InputStream stream) {
                    return responses.parse(stream);
                  }
                })
            .build();
    ServerServiceDefinition definition =
        ServerServiceDefinition.builder(EchoServiceGrpc.SERVICE_NAME)
            .addMethod(
                late,
                ServerCalls.asyncUnaryCall(
                    (EchoRequest request, io.grpc.stub.StreamObserver<EchoResponse> observer) -> {
                      observer.onNext(EchoResponse.newBuilder().setText(request.getText()).build());
                      observer.onCompleted();
                    }))
            .build();
    return () -> definition;
  }
}
