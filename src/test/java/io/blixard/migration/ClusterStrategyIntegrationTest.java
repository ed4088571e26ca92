package io.blixard.migration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blixard.cli.BlixardCliAccess;
import io.blixard.client.BlixardClient;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.proto.transport.v1.Strategy;
import io.blixard.proto.transport.v1.TransportServiceGrpc;
import io.blixard.proto.transport.v1.WatchStrategyRequest;
import io.blixard.support.TestNode;
import io.blixard.support.TestOperator;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.grpc.Context;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
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

/**
 * The migration strategy as cluster state, on real nodes driven through the command line: the first
 * node's configuration is the cluster's first strategy, one {@code blixard strategy set} on any
 * node moves every node, history and rollback, a stale change refused, a node's override shown as
 * such and dropped, a watch that hears each version, and a restarted node that keeps it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 180, unit = TimeUnit.SECONDS)
class ClusterStrategyIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir static Path dirs;

  private TestNode first;
  private TestNode second;

  @BeforeAll
  void start() {
    first = TestNode.start(dirs.resolve("first"));
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> first.bean(NodeRegistry.class).isOperator(first.operator().nodeId()));
    second = TestNode.join(dirs.resolve("second"), first);
    await()
        .atMost(Duration.ofSeconds(60))
        .until(() -> second.bean(NodeRegistry.class).strategy().isPresent());
  }

  @AfterAll
  void stop() {
    Stream.of(second, first).filter(n -> n != null && n.isRunning()).forEach(TestNode::close);
  }

  private String[] cli(TestNode node, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--node", node.grpcAddress()));
    return BlixardCliAccess.run(all.toArray(String[]::new));
  }

  private String ok(TestNode node, String... args) {
    String[] result = cli(node, args);
    assertThat(result[0]).as(String.join(" ", args) + ": " + result[2]).isEqualTo("0");
    return result[1];
  }

  private static MigrationStrategyHolder.Versioned strategyOf(TestNode node) {
    return node.bean(MigrationStrategyHolder.class).versioned();
  }

  @Test
  @Order(1)
  void theFirstNodesConfigurationIsTheClustersFirstStrategy() throws Exception {
    JsonNode history = JSON.readTree(ok(first, "strategy", "history", "--json"));
    assertThat(history.get("changes")).hasSize(1);
    assertThat(history.get("changes").get(0).get("version").asLong()).isEqualTo(1);
    assertThat(history.get("changes").get(0).get("change").asText())
        .isEqualTo("the first node's configuration");
    for (TestNode node : List.of(first, second)) {
      assertThat(strategyOf(node).version()).isEqualTo(1);
      assertThat(strategyOf(node).source()).isEqualTo(MigrationStrategyHolder.Source.CLUSTER);
    }
  }

  @Test
  @Order(2)
  void oneSetOnAnyNodeMovesEveryNodeAndAWatchHearsIt() {
    Context.CancellableContext watching = Context.current().withCancellation();
    try {
      Iterator<Strategy> watch =
          watching.call(
              () ->
                  TransportServiceGrpc.newBlockingStub(first.channel())
                      .watchStrategy(WatchStrategyRequest.getDefaultInstance()));
      assertThat(watch.next().getVersion()).isEqualTo(1);

      String out =
          ok(
              second,
              "strategy",
              "set",
              "--service",
              "health",
              "--quic-share",
              "50",
              "--reason",
              "canary");
      assertThat(out.trim()).isEqualTo("cluster strategy v2: health quic-share 50%");

      Strategy heard = watch.next();
      assertThat(heard.getVersion()).isEqualTo(2);
      assertThat(heard.getQuicShareMap()).containsEntry("health", 50);
      assertThat(heard.getSource()).isEqualTo("cluster");
    } catch (Exception e) {
      throw new AssertionError(e);
    } finally {
      watching.cancel(null);
    }
    for (TestNode node : List.of(first, second)) {
      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> {
                assertThat(strategyOf(node).version()).isEqualTo(2);
                assertThat(strategyOf(node).strategy().quicSharePercent("health")).isEqualTo(50);
              });
    }
  }

  @Test
  @Order(3)
  void historyNamesTheOperatorAndRollbackIsANewVersion() throws Exception {
    JsonNode history = JSON.readTree(ok(first, "strategy", "history", "--json"));
    JsonNode v2 = history.get("changes").get(1);
    assertThat(v2.get("by").asText()).isEqualTo(first.operator().nodeId().value());
    assertThat(v2.get("reason").asText()).isEqualTo("canary");

    String out = ok(first, "strategy", "rollback", "--to", "1", "--reason", "errors");
    assertThat(out.trim()).isEqualTo("cluster strategy v3: rollback to v1");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(strategyOf(second).version()).isEqualTo(3);
              assertThat(strategyOf(second).strategy().quicSharePercent("health"))
                  .isEqualTo(strategyOf(first).strategy().quicSharePercent("health"));
              assertThat(strategyOf(second).strategy().quicShare()).doesNotContainKey("health");
            });
    String[] missing = cli(first, "strategy", "rollback", "--to", "42");
    assertThat(missing[0]).isEqualTo("2");
    assertThat(missing[2]).contains("--to 42: no such version kept (expected: one of v1 to v3)");
  }

  @Test
  @Order(4)
  void aChangeMadeFromAnOlderVersionIsRefused() {
    MigrationStrategy base = strategyOf(first).strategy();
    var stub =
        TransportServiceGrpc.newBlockingStub(first.channel())
            .withDeadlineAfter(10, TimeUnit.SECONDS);
    try {
      io.blixard.cli.StrategyCommandAccess.propose(stub, first.operator(), base, "stale", "", 2);
      throw new AssertionError("a change from v2 was accepted at v3");
    } catch (io.grpc.StatusRuntimeException e) {
      assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.FAILED_PRECONDITION);
      assertThat(e.getStatus().getDescription())
          .contains("made from strategy version 2 but the cluster's is version 3");
    }
  }

  @Test
  @Order(5)
  void aNodesOverrideIsShownAsSuchAndResetGoesBackToTheClusters() {
    // What /actuator/transports does (TransportsEndpointIntegrationTest drives it over HTTP).
    MigrationStrategyHolder holder = first.bean(MigrationStrategyHolder.class);
    holder.update(s -> s.withQuicShare("status", 10), "test", "status quic-share 10%");
    var info =
        TransportServiceGrpc.newBlockingStub(first.channel())
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .getTransportInfo(
                io.blixard.proto.transport.v1.GetTransportInfoRequest.getDefaultInstance());
    assertThat(info.getStrategy().getSource()).isEqualTo("override");
    assertThat(info.getStrategy().getVersion()).isEqualTo(3);
    assertThat(info.getStrategy().getQuicShareMap()).containsEntry("status", 10);
    assertThat(strategyOf(second).source()).isEqualTo(MigrationStrategyHolder.Source.CLUSTER);
    assertThat(strategyOf(second).strategy().quicSharePercent("status")).isNotEqualTo(10);

    MigrationStrategyHolder.Versioned reset = holder.reset("test");
    assertThat(reset.source()).isEqualTo(MigrationStrategyHolder.Source.CLUSTER);
    assertThat(reset.version()).isEqualTo(3);
    assertThat(reset.strategy()).isEqualTo(strategyOf(second).strategy());
  }

  @Test
  @Order(7)
  void aRestartedNodeKeepsTheClustersStrategy() {
    ok(first, "strategy", "set", "--service", "monitoring", "--prefer-quic", "true");
    await().atMost(Duration.ofSeconds(10)).until(() -> strategyOf(second).version() == 5);
    second = second.restart();
    await()
        .atMost(Duration.ofSeconds(60))
        .untilAsserted(
            () -> {
              assertThat(strategyOf(second).version()).isEqualTo(5);
              assertThat(strategyOf(second).strategy().preferQuicFor()).contains("monitoring");
            });
  }

  @Test
  @Order(6)
  void aClientFollowsAChangeAtOnceThroughItsWatchNotItsThirtySecondRefresh() {
    try (BlixardClient client =
        BlixardClient.connect(
            second.grpcAddress(),
            TestOperator.grpcChannels(),
            BlixardClient.Settings.defaults(),
            new SimpleMeterRegistry(),
            CircuitBreakerRegistry.ofDefaults())) {
      await().atMost(Duration.ofSeconds(10)).until(() -> client.strategiesWatched() >= 1);
      ok(first, "strategy", "set", "--service", "status", "--quic-share", "20");
      await()
          .atMost(Duration.ofSeconds(5))
          .untilAsserted(
              () -> assertThat(client.strategy().quicSharePercent("status")).isEqualTo(20));
      assertThat(client.strategiesWatched()).isGreaterThanOrEqualTo(2);
    }
  }
}
