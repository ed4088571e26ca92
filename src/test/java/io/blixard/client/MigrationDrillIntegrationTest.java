package io.blixard.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.migration.MigrationStrategyHolder;
import io.blixard.node.NodeEndpoints;
import io.blixard.proto.health.v1.CheckRequest;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.proto.status.v1.GetClusterStatusRequest;
import io.blixard.proto.status.v1.StatusServiceGrpc;
import io.blixard.rpc.RpcServerMetrics;
import io.blixard.support.SingleNodeTestSupport;
import io.blixard.transport.Transport;
import io.blixard.transport.grpc.GrpcChannelFactory;
import io.blixard.transport.quic.server.QuicRpcServer;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The migration drill: calls run without pause through the client while the strategy moves health
 * and status from gRPC to half QUIC to QUIC, the QUIC listener is stopped and started again, and
 * the strategy goes back to gRPC. Every call succeeds; the node's per-transport counters show each
 * step.
 */
class MigrationDrillIntegrationTest extends SingleNodeTestSupport {

  private static final List<String> SERVICES = List.of("health", "status");

  @Autowired MigrationStrategyHolder strategies;
  @Autowired QuicRpcServer quicServer;
  @Autowired MeterRegistry nodeMeters;
  @Autowired GrpcChannelFactory grpcChannels;

  private BlixardClient client;

  /** Rounds of calls (one health and one status call each) the drill's caller has finished. */
  private final AtomicLong rounds = new AtomicLong();

  @Override
  protected Transport transport() {
    return Transport.GRPC;
  }

  /** Calls per service label over each transport, as the node counted them. */
  private Map<Transport, Long> served() {
    long grpc = 0;
    long quic = 0;
    for (String service : SERVICES) {
      grpc += count(service, Transport.GRPC);
      quic += count(service, Transport.QUIC);
    }
    return Map.of(Transport.GRPC, grpc, Transport.QUIC, quic);
  }

  private long count(String service, Transport transport) {
    Timer timer =
        nodeMeters
            .find(RpcServerMetrics.SERVICE_METRIC)
            .tags("service", service, "transport", transport.tag())
            .timer();
    return timer == null ? 0 : timer.count();
  }

  /**
   * What the node served over each transport while {@code step} was in force: once the client has
   * the new strategy (it refreshes it every 100 ms) and the calls begun before it have ended, over
   * a window of at least a second that lasts, on a slow machine, until each transport in {@code
   * expected} has served a call.
   */
  private Map<Transport, Long> during(Runnable step, Transport... expected) {
    step.run();
    long version = strategies.versioned().revision();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(
            () ->
                client.transportInfo().map(i -> i.getStrategy().getRevision()).orElse(-1L)
                    == version);
    // Calls already under way finish on the transport they started on: the window opens once a
    // round of calls has started (and ended) after the client saw the new strategy.
    long round = rounds.get();
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(() -> rounds.get() >= round + 2);
    Map<Transport, Long> before = served();
    org.awaitility.Awaitility.await()
        .pollDelay(java.time.Duration.ofSeconds(1))
        .pollInterval(java.time.Duration.ofMillis(100))
        .atMost(java.time.Duration.ofSeconds(20))
        .until(
            () -> {
              Map<Transport, Long> now = served();
              for (Transport t : expected) {
                if (now.get(t) <= before.get(t)) {
                  return false;
                }
              }
              return true;
            });
    Map<Transport, Long> after = served();
    return Map.of(
        Transport.GRPC,
        after.get(Transport.GRPC) - before.get(Transport.GRPC),
        Transport.QUIC,
        after.get(Transport.QUIC) - before.get(Transport.QUIC));
  }

  private void share(int percent) {
    strategies.update(
        s -> {
          for (String service : SERVICES) {
            s = s.withQuicShare(service, percent);
          }
          return s;
        },
        "drill",
        "health and status at " + percent + " % QUIC");
  }

  @Test
  void everyCallSucceedsWhileServicesMoveToQuicAndBackAndTheQuicListenerRestarts()
      throws Exception {
    SimpleMeterRegistry clientMeters = new SimpleMeterRegistry();
    BlixardClient.Settings settings =
        BlixardClient.Settings.defaults()
            .withRefreshInterval(Duration.ofMillis(100))
            .withOptions(
                new ClientOptions(
                    3,
                    Duration.ofMillis(20),
                    Duration.ofMillis(200),
                    50,
                    50f,
                    10,
                    Duration.ofMillis(500)));
    AtomicBoolean running = new AtomicBoolean(true);
    AtomicLong succeeded = new AtomicLong();
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    try (BlixardClient client =
        this.client =
            BlixardClient.connect(
                endpoints.hostAndPort(NodeEndpoints.Kind.GRPC),
                grpcChannels,
                settings,
                clientMeters,
                CircuitBreakerRegistry.ofDefaults())) {
      Thread calls =
          new Thread(
              () -> {
                var health = HealthServiceGrpc.newBlockingStub(client.channel());
                var status = StatusServiceGrpc.newBlockingStub(client.channel());
                while (running.get()) {
                  try {
                    health
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .check(CheckRequest.getDefaultInstance());
                    status
                        .withDeadlineAfter(5, TimeUnit.SECONDS)
                        .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
                    succeeded.addAndGet(2);
                  } catch (RuntimeException e) {
                    failures.add(e);
                  } finally {
                    rounds.incrementAndGet();
                  }
                }
              },
              "drill-calls");
      calls.start();
      try {
        Map<Transport, Long> onGrpc = during(() -> strategies.reset("drill"), Transport.GRPC);
        Map<Transport, Long> half = during(() -> share(50), Transport.GRPC, Transport.QUIC);
        Map<Transport, Long> onQuic = during(() -> share(100), Transport.QUIC);
        Map<Transport, Long> listenerDown = during(quicServer::stop, Transport.GRPC);
        Map<Transport, Long> listenerBack = during(quicServer::start, Transport.QUIC);
        Map<Transport, Long> rolledBack = during(() -> strategies.reset("drill"), Transport.GRPC);

        assertThat(onGrpc.get(Transport.QUIC)).isZero();
        assertThat(onGrpc.get(Transport.GRPC)).isPositive();
        assertThat(half.get(Transport.GRPC)).isPositive();
        assertThat(half.get(Transport.QUIC)).isPositive();
        assertThat(onQuic.get(Transport.GRPC)).isZero();
        assertThat(onQuic.get(Transport.QUIC)).isPositive();
        assertThat(listenerDown.get(Transport.QUIC)).isZero();
        assertThat(listenerDown.get(Transport.GRPC)).isPositive();
        assertThat(listenerBack.get(Transport.QUIC)).isPositive();
        assertThat(rolledBack.get(Transport.QUIC)).isZero();
        assertThat(rolledBack.get(Transport.GRPC)).isPositive();
      } finally {
        running.set(false);
        calls.join(10_000);
        if (!quicServer.isRunning()) {
          quicServer.start();
        }
        strategies.reset("drill");
      }
    }
    assertThat(failures).isEmpty();
    assertThat(succeeded.get()).isPositive();
    // The client counted the move and the fallback while QUIC was down.
    assertThat(
            clientMeters
                .find("blixard.client.selections")
                .tags("transport", "quic")
                .counters()
                .stream()
                .mapToDouble(c -> c.count())
                .sum())
        .isPositive();
    assertThat(
            clientMeters
                .find("blixard.client.fallbacks")
                .tags("from", "quic", "to", "grpc")
                .counters()
                .stream()
                .mapToDouble(c -> c.count())
                .sum())
        .isPositive();
  }

  private String[] cli(String... args) {
    return io.blixard.cli.BlixardCliAccess.run(args);
  }

  @Test
  void theCliAnswersOverQuicAndOverGrpcWhenTheQuicListenerIsDown() {
    String node = endpoints.hostAndPort(NodeEndpoints.Kind.GRPC);
    share(100);
    try {
      String[] overQuic = cli("health", "--node", node, "--transport", "quic");
      assertThat(overQuic[0]).as(overQuic[2]).isEqualTo("0");
      assertThat(overQuic[1]).contains("raft");
      // Straight to the QUIC port, pinned to the node id, without gRPC at all.
      String[] direct =
          cli(
              "ping",
              "--node",
              identity.nodeId() + "@" + endpoints.hostAndPort(NodeEndpoints.Kind.QUIC),
              "--count",
              "1");
      assertThat(direct[0]).as(direct[2]).isEqualTo("0");

      quicServer.stop();
      String[] fallback = cli("health", "--node", node, "--transport", "auto");
      assertThat(fallback[0]).as(fallback[2]).isEqualTo("0");
      assertThat(fallback[2])
          .contains("blixard: answered over grpc instead of quic: the node has no QUIC listener");
      String[] pinned = cli("health", "--node", node, "--transport", "quic");
      assertThat(pinned[0]).isEqualTo("3");
      assertThat(pinned[2]).contains("cannot reach node " + node);
    } finally {
      if (!quicServer.isRunning()) {
        quicServer.start();
      }
      strategies.reset("drill");
    }
  }
}
