package io.blixard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.blixard.client.SideEffectService.Behaviour;
import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A call being retried belongs to its caller: cancelling it while it waits between attempts ends it
 * at once, and every attempt carries the caller's {@link Context} (deadline, cancellation). Real
 * in-process gRPC; the channel is pinned to gRPC, so only retries are in play.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RetryCancellationTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService callers = Executors.newCachedThreadPool();
  private final String name = InProcessServerBuilder.generateName();
  private Server server;
  private ManagedChannel grpc;

  private Channel start(SideEffectService service, Duration backoff) throws Exception {
    server = InProcessServerBuilder.forName(name).addService(service).build().start();
    grpc = InProcessChannelBuilder.forName(name).build();
    return TransportChoosingChannel.builder("peer-1", grpc)
        .policy(TransportPolicy.GRPC)
        .options(new ClientOptions(3, backoff, backoff, 100, 50f, 10, Duration.ofSeconds(30)))
        .meters(meters)
        .scheduler(scheduler)
        .build();
  }

  private static SideEffectService service(IntFunction<Behaviour> behaviour) {
    return new SideEffectService(behaviour);
  }

  @AfterEach
  void stop() throws Exception {
    callers.shutdownNow();
    grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    scheduler.shutdownNow();
  }

  private double retries() {
    return meters.find("blixard.client.retries").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private static EchoResponse read(Channel channel) {
    return ClientCalls.blockingUnaryCall(
        channel,
        SideEffectService.READ,
        CallOptions.DEFAULT,
        EchoRequest.newBuilder().setText("x").build());
  }

  @Test
  void cancellingACallWhileItWaitsToBeRetriedClosesItAtOnce() throws Exception {
    Channel channel = start(service(n -> Behaviour.FAIL_AFTER_RUNNING), Duration.ofHours(1));
    CompletableFuture<Status> closed = new CompletableFuture<>();
    ClientCall<EchoRequest, EchoResponse> call =
        channel.newCall(SideEffectService.READ, CallOptions.DEFAULT);
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            closed.complete(status);
          }
        },
        new Metadata());
    call.request(1);
    call.sendMessage(EchoRequest.getDefaultInstance());
    call.halfClose();
    await().atMost(Duration.ofSeconds(10)).until(() -> retries() == 1);

    call.cancel("the caller gave up", null);

    Status status = closed.get(10, TimeUnit.SECONDS);
    assertThat(status.getCode()).isEqualTo(Status.Code.CANCELLED);
    assertThat(status.getDescription()).isEqualTo("the caller gave up");
  }

  @Test
  void aBlockingCallWhoseContextIsCancelledWhileItWaitsToBeRetriedReturns() throws Exception {
    Channel channel = start(service(n -> Behaviour.FAIL_AFTER_RUNNING), Duration.ofHours(1));
    Context.CancellableContext context = Context.current().withCancellation();
    Future<EchoResponse> answer = callers.submit(() -> context.call(() -> read(channel)));
    await().atMost(Duration.ofSeconds(10)).until(() -> retries() == 1);

    context.cancel(null);

    assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED));
  }

  @Test
  void aRetriedAttemptCarriesTheCallersDeadline() throws Exception {
    SideEffectService service =
        service(n -> n == 0 ? Behaviour.FAIL_AFTER_RUNNING : Behaviour.ANSWER);
    Channel channel = start(service, Duration.ofMillis(1));

    Context.CancellableContext context =
        Context.current().withDeadlineAfter(30, TimeUnit.SECONDS, scheduler);
    try {
      assertThat(context.call(() -> read(channel)).getText()).isEqualTo("x");
    } finally {
      context.cancel(null);
    }

    assertThat(service.deadlines).hasSize(2);
    assertThat(service.deadlines.get(0)).as("first attempt").isPresent();
    assertThat(service.deadlines.get(1)).as("retried attempt").isPresent();
  }

  @Test
  void aRetriedAttemptIsCancelledWithTheCallersContext() throws Exception {
    SideEffectService service =
        service(n -> n == 0 ? Behaviour.FAIL_AFTER_RUNNING : Behaviour.WAIT_FOR_CANCEL);
    Channel channel = start(service, Duration.ofMillis(1));
    Context.CancellableContext context = Context.current().withCancellation();
    Future<EchoResponse> answer = callers.submit(() -> context.call(() -> read(channel)));
    assertThat(service.waiting.await(10, TimeUnit.SECONDS)).isTrue();

    context.cancel(null);

    assertThat(service.cancelled.await(10, TimeUnit.SECONDS))
        .as("the server saw the retried attempt cancelled")
        .isTrue();
    assertThatThrownBy(() -> answer.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.CANCELLED));
  }

  @Test
  void aCallWhoseDeadlineEndsBeforeItsBackoffFailsAtOnceWithTheLastFailure() throws Exception {
    SideEffectService service = service(n -> Behaviour.FAIL_AFTER_RUNNING);
    Channel channel = start(service, Duration.ofHours(1));

    assertThatThrownBy(
            () ->
                ClientCalls.blockingUnaryCall(
                    channel,
                    SideEffectService.READ,
                    CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS),
                    EchoRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription()).isEqualTo("ran call 0, then failed");
            });
    assertThat(service.calls.get()).isEqualTo(1);
    assertThat(retries()).isZero();
  }

  @Test
  void everyCallClosesExactlyOnceWhenCancelsRaceItsAttempts() throws Exception {
    Channel channel = start(service(n -> Behaviour.FAIL_AFTER_RUNNING), Duration.ofMillis(1));
    int calls = 200;
    CountDownLatch allClosed = new CountDownLatch(calls);
    AtomicInteger closedTwice = new AtomicInteger();
    for (int i = 0; i < calls; i++) {
      AtomicInteger closes = new AtomicInteger();
      ClientCall<EchoRequest, EchoResponse> call =
          channel.newCall(SideEffectService.READ, CallOptions.DEFAULT);
      call.start(
          new ClientCall.Listener<>() {
            @Override
            public void onClose(Status status, Metadata trailers) {
              if (closes.incrementAndGet() == 1) {
                allClosed.countDown();
              } else {
                closedTwice.incrementAndGet();
              }
            }
          },
          new Metadata());
      call.request(1);
      call.sendMessage(EchoRequest.getDefaultInstance());
      call.halfClose();
      // Cancelled from another thread while it is in an attempt, between attempts, or closed.
      callers.execute(() -> call.cancel("raced", null));
    }

    assertThat(allClosed.await(20, TimeUnit.SECONDS)).isTrue();
    assertThat(closedTwice.get()).isZero();
  }
}
