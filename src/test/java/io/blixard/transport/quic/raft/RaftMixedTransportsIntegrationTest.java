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
import io.blixard.cluster.GroupAdmin;
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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A mixed cluster with the Raft router: three dual-mode nodes, one whose Raft is reachable only
 * over gRPC (its QUIC listener is bound where the address it advertises does not reach) and one
 * only over QUIC (likewise for its Raft port). The cluster elects, commits writes through every
 * node, and every view of the transport in use — {@code /actuator/transports}, {@code
 * blixard_raft_peer_transport}, {@code blixard raft} — shows, for those two, the one transport that
 * works, whatever the strategy names.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class RaftMixedTransportsIntegrationTest {

  private static final String[] ROUTER = {
    "--blixard.transport.quic.raft-router.enabled=true",
    "--blixard.transport.quic.raft-router.probe-interval=500ms"
  };

  /**
   * Every listener reachable at 127.0.0.2, the address the node advertises, but for {@code
   * unreachable}, which is bound on 127.0.0.1 alone: nothing listens where the others are told to
   * reach it. (QUIC is bound on 127.0.0.2 itself: a UDP server on 0.0.0.0 would answer from
   * 127.0.0.1, and the client would take no answer from there.)
   */
  private static String[] advertisedElsewhere(String unreachable) {
    List<String> args = new ArrayList<>(List.of(ROUTER));
    args.add("--blixard.node.advertise-host=127.0.0.2");
    Map<String, String> reachable =
        Map.of(
            "blixard.cluster.raft.bind-address", "0.0.0.0",
            "blixard.transport.grpc.bind-address", "0.0.0.0",
            "blixard.transport.quic.bind-address", "127.0.0.2");
    reachable.forEach(
        (bind, address) ->
            args.add("--" + bind + "=" + (bind.equals(unreachable) ? "127.0.0.1" : address)));
    return args.toArray(String[]::new);
  }

  @TempDir static Path dirs;

  private TestNode both;
  private TestNode grpcOnly;
  private TestNode quicOnly;

  @BeforeAll
  void startCluster() {
    both = TestNode.start(dirs.resolve("a"), ROUTER);
    await().atMost(Duration.ofSeconds(20)).until(() -> both.raft().leaderId().isPresent());
    grpcOnly =
        TestNode.join(
            dirs.resolve("b"), both, advertisedElsewhere("blixard.transport.quic.bind-address"));
    quicOnly =
        TestNode.join(
            dirs.resolve("c"), both, advertisedElsewhere("blixard.cluster.raft.bind-address"));
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
    Stream.of(quicOnly, grpcOnly, both)
        .filter(n -> n != null && n.isRunning())
        .forEach(TestNode::close);
  }

  private List<TestNode> nodes() {
    return List.of(both, grpcOnly, quicOnly);
  }

  private TestNode leader() {
    NodeId id = both.bean(ClusterView.class).requireState().leaderId().orElseThrow();
    return nodes().stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
  }

  /**
   * The one transport that reaches {@code peer}'s Raft, or the strategy's for the node with both.
   */
  private String expectedTransport(TestNode peer, RaftTransport strategy) {
    if (peer == grpcOnly) {
      return "grpc";
    }
    if (peer == quicOnly) {
      return "quic";
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
            "mixed cluster",
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
  void eachPeersRaftTakesTheOneTransportThatReachesItAndWritesCommitThroughEveryNode(
      RaftTransport strategy) throws Exception {
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

  /**
   * A member reachable over one transport only leads, and writes through the other members reach
   * it: their Raft clients take the same per-peer choice and fallback as their Raft traffic.
   */
  @Order(2)
  @ParameterizedTest(name = "leader reachable over {0} only")
  @ValueSource(strings = {"quic", "grpc"})
  void aMemberReachableOverOneTransportOnlyLeadsAndTakesWritesThroughTheOthers(String only)
      throws Exception {
    TestNode target = only.equals("quic") ? quicOnly : grpcOnly;
    await()
        .atMost(Duration.ofSeconds(60))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              if (leader() != target) {
                leader().bean(GroupAdmin.class).transferLeadership(target.id());
              }
              for (TestNode node : nodes()) {
                assertThat(node.bean(ClusterView.class).requireState().leaderId())
                    .contains(target.id());
              }
            });
    List<NodeId> written = new ArrayList<>();
    for (TestNode through : nodes()) {
      if (through != target) {
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
  }
}
