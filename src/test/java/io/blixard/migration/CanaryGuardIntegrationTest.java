package io.blixard.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.blixard.client.BlixardClient;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.proto.cluster.v1.StrategyChange;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.proto.health.v1.PingRequest;
import io.blixard.rpc.RpcServerInterceptor;
import io.blixard.support.TestNode;
import io.blixard.support.TestOperator;
import io.blixard.transport.Transport;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.annotation.Bean;

/**
 * The canary guard on two real nodes, gRPC and QUIC sockets, with clients calling health at a QUIC
 * share of 50 % on both: while QUIC serves as well as gRPC the guard judges it healthy and leaves
 * the share; once a fault makes health fail over QUIC only, the leader sets the share back to 0
 * through Raft, with its verdict in the history, and counts it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class CanaryGuardIntegrationTest {

  /** Fails health calls that arrive over QUIC while it is on, inside the metrics link. */
  static class QuicFault {
    static final AtomicBoolean ON = new AtomicBoolean();

    @Bean
    @org.springframework.core.annotation.Order(RpcServerInterceptor.SERVED_ON_ORDER + 10)
    RpcServerInterceptor quicFault() {
      return transport ->
          new ServerInterceptor() {
            @Override
            public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
                ServerCall<ReqT, RespT> call,
                Metadata headers,
                ServerCallHandler<ReqT, RespT> next) {
              if (ON.get()
                  && transport == Transport.QUIC
                  && call.getMethodDescriptor()
                      .getServiceName()
                      .equals(HealthServiceGrpc.SERVICE_NAME)) {
                call.close(
                    Status.INTERNAL.withDescription("injected fault on QUIC"), new Metadata());
                return new ServerCall.Listener<>() {};
              }
              return next.startCall(call, headers);
            }
          };
    }
  }

  private static final String[] GUARD = {
    "--blixard.transport.strategy.quic-share.health=50",
    "--blixard.transport.strategy.guard.window=2s",
    "--blixard.transport.strategy.guard.interval=500ms",
    "--blixard.transport.strategy.guard.min-samples=20",
    // Loopback latencies of two transports on a busy machine differ widely: this test is about
    // errors.
    "--blixard.transport.strategy.guard.max-p99-ratio=1000"
  };

  @TempDir static Path dirs;

  private TestNode first;
  private TestNode second;
  private List<BlixardClient> clients;
  private Thread load;
  private volatile boolean loading = true;

  @BeforeAll
  void start() {
    QuicFault.ON.set(false);
    first = TestNode.start(List.of(QuicFault.class), dirs.resolve("first"), GUARD);
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> first.bean(NodeRegistry.class).strategy().isPresent());
    second = TestNode.join(List.of(QuicFault.class), dirs.resolve("second"), first, GUARD);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(
            () ->
                second.bean(NodeRegistry.class).strategy().isPresent()
                    && first.bean(NodeRegistry.class).nodes().size() == 2);
    MeterRegistry meters = new SimpleMeterRegistry();
    clients =
        Stream.of(first, second)
            .map(
                node ->
                    BlixardClient.connect(
                        node.grpcAddress(),
                        TestOperator.grpcChannels(),
                        BlixardClient.Settings.defaults(),
                        meters,
                        CircuitBreakerRegistry.ofDefaults()))
            .toList();
    load = new Thread(this::callHealth, "health-load");
    load.setDaemon(true);
    load.start();
  }

  private void callHealth() {
    PingRequest ping = PingRequest.newBuilder().setPayload(ByteString.copyFromUtf8("x")).build();
    while (loading) {
      for (BlixardClient client : clients) {
        try {
          HealthServiceGrpc.newBlockingStub(client.channel())
              .withDeadlineAfter(2, TimeUnit.SECONDS)
              .ping(ping);
        } catch (RuntimeException failed) {
          // The fault's answers: what the guard is to notice.
        }
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  @AfterAll
  void stop() throws InterruptedException {
    loading = false;
    if (load != null) {
      load.join(5000);
    }
    if (clients != null) {
      clients.forEach(BlixardClient::close);
    }
    Stream.of(second, first).filter(n -> n != null && n.isRunning()).forEach(TestNode::close);
  }

  private TestNode leader() {
    return Stream.of(first, second).filter(n -> n.raft().isLeader()).findFirst().orElseThrow();
  }

  private static double verdict(TestNode node) {
    Gauge gauge =
        node.bean(MeterRegistry.class).find(CanaryGuard.VERDICT).tag("service", "health").gauge();
    return gauge == null ? 0 : gauge.value();
  }

  private static double rollbacks(TestNode node) {
    Counter counter =
        node.bean(MeterRegistry.class)
            .find(CanaryGuard.ROLLBACKS)
            .tag("service", "health")
            .counter();
    return counter == null ? 0 : counter.count();
  }

  private static List<StrategyChange> history(TestNode node) {
    return node.bean(NodeRegistry.class).versions();
  }

  @Test
  @Order(1)
  void aHealthyCanaryIsJudgedAndLeftAlone() {
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> Stream.of(first, second).anyMatch(n -> verdict(n) == 1));

    assertThat(history(first)).hasSize(1);
    assertThat(Stream.of(first, second).mapToDouble(CanaryGuardIntegrationTest::rollbacks).sum())
        .isZero();
    assertThat(first.bean(MigrationStrategyHolder.class).strategy().quicSharePercent("health"))
        .isEqualTo(50);
  }

  @Test
  @Order(2)
  void aFaultOnTheQuicPathSetsTheShareBackWithItsReasonInTheHistory() {
    QuicFault.ON.set(true);

    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> history(first).size() >= 2 && history(second).size() >= 2);

    StrategyChange rollback = history(first).get(1);
    TestNode leader = leader();
    assertThat(rollback.getBy()).isEqualTo(leader.id().value());
    assertThat(rollback.getChange())
        .isEqualTo("health quic-share 0% (canary guard rollback from 50%)");
    assertThat(rollback.getReason())
        .startsWith("canary guard: quic error ratio ")
        .endsWith(" for health");
    for (TestNode node : List.of(first, second)) {
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                MigrationStrategy strategy = node.bean(MigrationStrategyHolder.class).strategy();
                assertThat(strategy.quicSharePercent("health")).isZero();
                assertThat(strategy.raftTransport()).isEqualTo(RaftTransport.ALWAYS_GRPC);
              });
    }
    assertThat(rollbacks(leader)).isEqualTo(1);
    assertThat(node(leader).audit()).anyMatch(e -> e.getAction().equals("guard-strategy"));
  }

  private static NodeRegistry node(TestNode node) {
    return node.bean(NodeRegistry.class);
  }
}
