package io.blixard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.api.GrpcHealthService;
import io.blixard.health.HealthReport;
import io.blixard.health.HealthService;
import io.blixard.health.HealthStatus;
import io.blixard.health.PingReply;
import io.blixard.migration.MigrationStrategy;
import io.blixard.node.NodeId;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.proto.health.v1.PingRequest;
import io.blixard.proto.health.v1.PingResponse;
import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.transport.Transport;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The transport-choosing channel over two in-process gRPC servers that stand in for a peer's gRPC
 * and QUIC listeners; each answers with its own node id, so a call shows which one served it.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class TransportChoosingChannelTest {

  static final NodeId GRPC_SIDE = NodeId.ofSubjectPublicKeyInfo(new byte[] {1});
  static final NodeId QUIC_SIDE = NodeId.ofSubjectPublicKeyInfo(new byte[] {2});

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final AtomicReference<MigrationStrategy> strategy =
      new AtomicReference<>(MigrationStrategy.defaults());
  private final AtomicInteger echoCalls = new AtomicInteger();
  private final AtomicInteger quicFailures = new AtomicInteger();
  private Server grpcServer;
  private Server quicServer;
  private ManagedChannel grpc;
  private ManagedChannel quic;
  private TransportChoosingChannel channel;

  private static HealthService answeringAs(NodeId id) {
    return new HealthService() {
      @Override
      public HealthReport check() {
        return new HealthReport(HealthStatus.UP, List.of(), id, Instant.now());
      }

      @Override
      public PingReply ping(byte[] payload) {
        return new PingReply(payload, Instant.now(), id);
      }
    };
  }

  /** Fails every call with UNAVAILABLE, counting them: a non-idempotent method. */
  private final class FailingEcho extends EchoServiceGrpc.EchoServiceImplBase {
    @Override
    public void unary(EchoRequest request, StreamObserver<EchoResponse> observer) {
      echoCalls.incrementAndGet();
      observer.onError(Status.UNAVAILABLE.withDescription("busy").asRuntimeException());
    }
  }

  @BeforeEach
  void start() throws Exception {
    grpcServer =
        InProcessServerBuilder.forName("grpc-side")
            .addService(new GrpcHealthService(answeringAs(GRPC_SIDE)))
            .addService(new FailingEcho())
            .build()
            .start();
    quicServer = startQuicSide();
    grpc = InProcessChannelBuilder.forName("grpc-side").build();
    quic = InProcessChannelBuilder.forName("quic-side").build();
    channel = channel(TransportPolicy.AUTO);
  }

  private Server startQuicSide() throws Exception {
    return InProcessServerBuilder.forName("quic-side")
        .addService(new GrpcHealthService(answeringAs(QUIC_SIDE)))
        .addService(new FailingEcho())
        .build()
        .start();
  }

  private TransportChoosingChannel channel(TransportPolicy policy) {
    return TransportChoosingChannel.builder("peer-1", grpc)
        .quic(quic)
        .strategy(strategy::get)
        .policy(policy)
        .options(
            new ClientOptions(
                3,
                Duration.ofMillis(1),
                Duration.ofMillis(5),
                100,
                50f,
                10,
                Duration.ofSeconds(30)))
        .breakers(CircuitBreakerRegistry.ofDefaults())
        .meters(meters)
        .scheduler(scheduler)
        .onQuicFailure(quicFailures::incrementAndGet)
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    quic.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    grpcServer.shutdownNow();
    quicServer.shutdownNow();
    scheduler.shutdownNow();
  }

  private String pingedNode() {
    return HealthServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .ping(PingRequest.getDefaultInstance())
        .getNodeId();
  }

  private double fallbacks(String reason) {
    return count("blixard.client.fallbacks", "from", "quic", "to", "grpc", "reason", reason);
  }

  private double count(String name, String... tags) {
    var counter = meters.find(name).tags(tags).counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void followsThePreferenceOfTheStrategy() {
    assertThat(pingedNode()).isEqualTo(GRPC_SIDE.value());
    strategy.set(MigrationStrategy.defaults().withPreferQuic("health", true));
    assertThat(pingedNode()).isEqualTo(QUIC_SIDE.value());
    assertThat(
            count(
                "blixard.client.selections",
                "service",
                "health",
                "transport",
                "quic",
                "reason",
                "preferred"))
        .isEqualTo(1);
  }

  @Test
  void aShareSendsThatPartOfTheCallsOverQuic() {
    strategy.set(MigrationStrategy.defaults().withQuicShare("health", 50));
    int overQuic = 0;
    for (int i = 0; i < 400; i++) {
      if (pingedNode().equals(QUIC_SIDE.value())) {
        overQuic++;
      }
    }
    // 400 draws at 50 %: more than 6 standard deviations from either bound.
    assertThat(overQuic).isBetween(140, 260);
  }

  @Test
  void fallsBackToGrpcWhenQuicIsDownAndCountsIt() {
    strategy.set(MigrationStrategy.defaults().withPreferQuic("health", true));
    quicServer.shutdownNow();
    for (int i = 0; i < 5; i++) {
      assertThat(pingedNode()).isEqualTo(GRPC_SIDE.value());
    }
    assertThat(
            count(
                "blixard.client.fallbacks", "from", "quic", "to", "grpc", "reason", "unavailable"))
        .isEqualTo(5);
    assertThat(quicFailures.get()).isEqualTo(5);
  }

  @Test
  void anOpenQuicCircuitSendsCallsStraightToGrpcUntilItCloses() throws Exception {
    strategy.set(MigrationStrategy.defaults().withPreferQuic("health", true));
    quicServer.shutdownNow();
    for (int i = 0; i < 10; i++) {
      pingedNode();
    }
    assertThat(channel.breaker(Transport.QUIC).getState()).isEqualTo(CircuitBreaker.State.OPEN);
    double unavailableBefore = fallbacks("unavailable");
    double openBefore = fallbacks("circuit_open");
    assertThat(unavailableBefore)
        .as("the breaker opened after its minimum of 5 calls")
        .isEqualTo(5);
    assertThat(pingedNode()).isEqualTo(GRPC_SIDE.value());
    assertThat(fallbacks("circuit_open")).isEqualTo(openBefore + 1);
    assertThat(fallbacks("unavailable"))
        .as("no QUIC attempt was made")
        .isEqualTo(unavailableBefore);
    assertThat(count("blixard.client.fallbacks", "service", "health", "reason", "circuit_open"))
        .isEqualTo(openBefore + 1);
    assertThat(circuit(Transport.QUIC, "open")).isEqualTo(1);
    assertThat(circuit(Transport.QUIC, "closed")).isZero();
    assertThat(circuit(Transport.GRPC, "closed")).isEqualTo(1);
  }

  private double circuit(Transport transport, String state) {
    return meters
        .get("blixard.client.circuit.state")
        .tags("peer", "peer-1", "transport", transport.tag(), "state", state)
        .gauge()
        .value();
  }

  @Test
  void withoutFallbackAQuicFailureReachesTheCallerAfterRetries() {
    strategy.set(
        MigrationStrategy.defaults().withPreferQuic("health", true).withFallbackToGrpc(false));
    quicServer.shutdownNow();
    assertThatThrownBy(this::pingedNode)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    assertThat(count("blixard.client.retries", "service", "health", "transport", "quic"))
        .as("idempotent: retried up to maxAttempts")
        .isEqualTo(2);
  }

  @Test
  void aServiceNarrowedToGrpcIsNeverSentOverQuic() {
    strategy.set(
        MigrationStrategy.defaults()
            .withPreferQuic("health", true)
            .withServedOn("health", EnumSet.of(Transport.GRPC)));
    assertThat(pingedNode()).isEqualTo(GRPC_SIDE.value());
    assertThat(
            count(
                "blixard.client.selections",
                "service",
                "health",
                "transport",
                "grpc",
                "reason",
                "served_on"))
        .isEqualTo(1);
  }

  @Test
  void nonIdempotentCallsAreNotRetried() {
    assertThatThrownBy(
            () ->
                EchoServiceGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .unary(EchoRequest.getDefaultInstance()))
        .isInstanceOf(StatusRuntimeException.class);
    assertThat(echoCalls.get()).isEqualTo(1);
  }

  @Test
  void aPinnedTransportIsUsedWithoutFallback() {
    TransportChoosingChannel pinned = channel(TransportPolicy.QUIC);
    quicServer.shutdownNow();
    assertThatThrownBy(
            () ->
                HealthServiceGrpc.newBlockingStub(pinned)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .ping(PingRequest.getDefaultInstance()))
        .isInstanceOf(StatusRuntimeException.class);
    assertThat(
            count(
                "blixard.client.fallbacks", "from", "quic", "to", "grpc", "reason", "unavailable"))
        .isZero();
  }

  @Test
  void adaptiveSelectionMovesCallsToTheFasterTransport() {
    LatencyTracker latency = channel.latency();
    for (int i = 0; i < 20; i++) {
      latency.record("health", Transport.QUIC, 50_000_000); // 50 ms
      latency.record("health", Transport.GRPC, 1_000_000); // 1 ms
    }
    strategy.set(
        MigrationStrategy.defaults()
            .withPreferQuic("health", true)
            .withAdaptive(new MigrationStrategy.Adaptive(true, Duration.ofMillis(5), 10)));
    assertThat(pingedNode()).isEqualTo(GRPC_SIDE.value());
    assertThat(
            count(
                "blixard.client.selections",
                "service",
                "health",
                "transport",
                "grpc",
                "reason",
                "adaptive"))
        .isEqualTo(1);
  }

  @Test
  void everyAttemptIsTimedPerTransport() {
    pingedNode();
    assertThat(
            meters
                .find("blixard.client.attempts")
                .tags("transport", "grpc", "method", "Ping", "status", "OK")
                .timer()
                .count())
        .isEqualTo(1);
  }

  @Test
  void theListenerIsNeverCalledUnderALockOfTheCall() throws Exception {
    // Pinned to QUIC with no QUIC address: the call is refused inside halfClose.
    TransportChoosingChannel noQuic =
        TransportChoosingChannel.builder("peer-1", grpc)
            .policy(TransportPolicy.QUIC)
            .meters(meters)
            .scheduler(scheduler)
            .build();
    ClientCall<PingRequest, PingResponse> call =
        noQuic.newCall(HealthServiceGrpc.getPingMethod(), CallOptions.DEFAULT);
    CompletableFuture<Boolean> otherThreadGotIn = new CompletableFuture<>();
    CompletableFuture<Status> closed = new CompletableFuture<>();
    call.start(
        new ClientCall.Listener<>() {
          @Override
          public void onClose(Status status, Metadata trailers) {
            Thread other = new Thread(call::isReady);
            other.start();
            try {
              other.join(5_000);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
            otherThreadGotIn.complete(!other.isAlive());
            closed.complete(status);
          }
        },
        new Metadata());
    call.request(1);
    call.sendMessage(PingRequest.getDefaultInstance());
    call.halfClose();

    assertThat(otherThreadGotIn.get(10, TimeUnit.SECONDS))
        .as("another thread could use the call while its listener ran")
        .isTrue();
    assertThat(closed.get().getDescription()).contains("no known quic address");
  }

  @Test
  void anOpenGrpcCircuitRefusesCallsWithoutSendingThem() {
    channel.breaker(Transport.GRPC).transitionToForcedOpenState();
    assertThatThrownBy(this::pingedNode)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("circuit to peer peer-1 over grpc is open after repeated failures");
            });
    assertThat(meters.find("blixard.client.attempts").timers()).as("nothing was sent").isEmpty();
    assertThat(count("blixard.client.retries", "service", "health", "transport", "grpc"))
        .as("retrying into an open circuit is pointless")
        .isZero();
  }
}
