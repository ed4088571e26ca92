package io.blixard.transport.quic.raft;

import static io.blixard.support.RegistryWrites.admit;
import static io.blixard.support.RegistryWrites.someone;
import static io.blixard.transport.quic.raft.RaftPeerGauges.peerTransport;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blixard.cli.BlixardCliAccess;
import io.blixard.cluster.ClusterView;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.migration.MigrationStrategyHolder;
import io.blixard.migration.RaftTransport;
import io.blixard.migration.TransportsEndpoint;
import io.blixard.node.NodeId;
import io.blixard.support.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Members with and without the Raft router in one cluster (a rolling start of the router): two
 * dual-mode nodes with the router and one without it. When the strategy moves Raft to QUIC, the
 * router nodes' calls to each other take QUIC and their calls to the node without the router go on
 * over gRPC (it serves no Raft on QUIC: UNIMPLEMENTED, sent again over gRPC), and writes commit
 * through every node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class RaftRouterBesideNodesWithoutItIntegrationTest {

  private static final String[] ROUTER = {
    "--blixard.transport.quic.raft-router.enabled=true",
    "--blixard.transport.quic.raft-router.probe-interval=500ms"
  };

  @TempDir static Path dirs;

  private TestNode both;
  private TestNode otherRouter;
  private TestNode plain;

  @BeforeAll
  void startCluster() {
    both = TestNode.start(dirs.resolve("a"), ROUTER);
    await().atMost(Duration.ofSeconds(20)).until(() -> both.raft().leaderId().isPresent());
    otherRouter = TestNode.join(dirs.resolve("b"), both, ROUTER);
    plain = TestNode.join(dirs.resolve("c"), both);
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              for (TestNode node : nodes()) {
                RaftState s = node.bean(ClusterView.class).requireState();
                assertThat(s.leaderId()).isPresent();
                assertThat(s.members()).hasSize(3).allMatch(RaftState.Member::voter);
              }
            });
  }

  @AfterAll
  void stopCluster() {
    Stream.of(plain, otherRouter, both)
        .filter(n -> n != null && n.isRunning())
        .forEach(TestNode::close);
  }

  private List<TestNode> nodes() {
    return List.of(both, otherRouter, plain);
  }

  private TestNode leader() {
    NodeId id = both.bean(ClusterView.class).requireState().leaderId().orElseThrow();
    return nodes().stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
  }

  /** gRPC to the node without the router, whatever the strategy; the strategy's to the other. */
  private String expectedTransport(TestNode peer, RaftTransport strategy) {
    if (peer == plain) {
      return "grpc";
    }
    return strategy == RaftTransport.ALWAYS_QUIC ? "quic" : "grpc";
  }

  private void setRaftTransport(RaftTransport transport) {
    String tag = transport.name().toLowerCase(Locale.ROOT).replace('_', '-');
    String[] result =
        BlixardCliAccess.run(
            "strategy",
            "set",
            "--raft-transport",
            tag,
            "--reason",
            "router beside nodes without it",
            "--node",
            both.grpcAddress());
    assertThat(result[0]).as(result[2]).isEqualTo("0");
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              for (TestNode n : nodes()) {
                assertThat(n.bean(MigrationStrategyHolder.class).strategy().raftTransport())
                    .isEqualTo(transport);
              }
            });
  }

  @Order(1)
  @ParameterizedTest(name = "raft-transport {0}")
  @EnumSource(
      value = RaftTransport.class,
      names = {"ALWAYS_GRPC", "ALWAYS_QUIC"})
  void routerNodesFollowTheStrategyAndReachTheNodeWithoutItOverGrpc(RaftTransport strategy)
      throws Exception {
    if (strategy != both.bean(MigrationStrategyHolder.class).strategy().raftTransport()) {
      setRaftTransport(strategy);
    }
    List<NodeId> written = new ArrayList<>();
    for (int round = 0; round < 3; round++) {
      for (TestNode through : nodes()) {
        NodeId id = someone();
        admit(through, id);
        written.add(id);
      }
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              for (TestNode node : nodes()) {
                NodeRegistry registry = node.bean(NodeRegistry.class);
                assertThat(written).allMatch(registry::isAdmitted);
              }
            });

    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              TestNode leader = leader();
              // A node without the router measures no per-peer transport: the view is a router's.
              assertThat(leader).isNotSameAs(plain);
              Map<String, String> expected = new HashMap<>();
              for (TestNode peer : nodes()) {
                if (peer != leader) {
                  String transport = expectedTransport(peer, strategy);
                  expected.put(peer.id().value(), transport);
                  assertThat(peerTransport(leader, peer, transport))
                      .as("leader to %s over %s", peer.id().shortForm(), transport)
                      .isEqualTo(1.0);
                }
              }
              assertThat(leader.bean(TransportsEndpoint.class).transports().raftPeers())
                  .containsAllEntriesOf(expected);
              String[] raft =
                  BlixardCliAccess.run("raft", "--json", "--node", leader.grpcAddress());
              assertThat(raft[0]).as("blixard raft: %s", raft[2]).isEqualTo("0");
              JsonNode followers = new ObjectMapper().readTree(raft[1]).get("followers");
              assertThat(followers).hasSize(2);
              for (JsonNode follower : followers) {
                assertThat(expected)
                    .containsEntry(
                        follower.get("nodeId").asText(), follower.get("transport").asText());
              }
            });
  }
}
