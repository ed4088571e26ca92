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
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeId;
import io.blixard.support.TestNode;
import io.blixard.transport.quic.server.QuicRpcServer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
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
 * Three in-process dual-mode nodes with the Raft router: Raft moves from gRPC to QUIC and back at
 * run time through the cluster's strategy while registry writes go on, losing none that was
 * acknowledged; with the QUIC path to one follower broken, Raft goes on over gRPC to it and comes
 * back to QUIC when the path does; under adaptive, Raft commits and both transports are probed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class RaftTransportSwitchIntegrationTest {

  private static final String[] ROUTER = {
    "--blixard.transport.quic.raft-router.enabled=true",
    "--blixard.transport.quic.raft-router.probe-interval=500ms"
  };

  @TempDir static Path dirs;

  private final List<TestNode> nodes = new ArrayList<>();

  @BeforeAll
  void startCluster() {
    TestNode first = TestNode.start(dirs.resolve("a"), ROUTER);
    nodes.add(first);
    await().atMost(Duration.ofSeconds(20)).until(() -> first.raft().leaderId().isPresent());
    nodes.add(TestNode.join(dirs.resolve("b"), first, ROUTER));
    nodes.add(TestNode.join(dirs.resolve("c"), first, ROUTER));
    awaitThreeVoters();
  }

  @AfterAll
  void stopCluster() {
    nodes.stream().filter(TestNode::isRunning).forEach(TestNode::close);
  }

  private void awaitThreeVoters() {
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              for (TestNode node : nodes) {
                RaftState s = node.bean(ClusterView.class).requireState();
                assertThat(s.leaderId()).isPresent();
                assertThat(s.members()).hasSize(3).allMatch(RaftState.Member::voter);
                // Every member's QUIC address is in every node's registry.
                assertThat(node.bean(ClusterView.class).registry())
                    .hasSize(3)
                    .allMatch(r -> !r.quicAddress().isBlank());
              }
            });
  }

  private TestNode leader() {
    NodeId id = nodes.get(0).bean(ClusterView.class).requireState().leaderId().orElseThrow();
    return nodes.stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
  }

  /**
   * Makes {@code transport} the cluster strategy's raft-transport with {@code blixard strategy set
   * --raft-transport}, and waits until every node follows it.
   */
  private void setRaftTransport(RaftTransport transport) {
    String tag = transport.name().toLowerCase(Locale.ROOT).replace('_', '-');
    String[] result =
        BlixardCliAccess.run(
            "strategy",
            "set",
            "--raft-transport",
            tag,
            "--reason",
            "move Raft",
            "--node",
            nodes.get(0).grpcAddress());
    assertThat(result[0]).as(result[2]).isEqualTo("0");
    assertThat(result[1].trim())
        .startsWith("cluster strategy v")
        .endsWith(": raft-transport " + tag);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              for (TestNode n : nodes) {
                assertThat(n.bean(MigrationStrategyHolder.class).strategy().raftTransport())
                    .isEqualTo(transport);
              }
            });
  }

  private static long appendsSent(TestNode node, String transport) {
    return node
        .bean(MeterRegistry.class)
        .find(RaftRpcMetrics.CALLS)
        .tag("transport", transport)
        .tag("method", "AppendEntries")
        .tag("outcome", "ok")
        .timers()
        .stream()
        .mapToLong(Timer::count)
        .sum();
  }

  /** The leader's appends go over {@code transport} now, to both followers. */
  private void awaitAppendsOver(String transport) {
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              TestNode leader = leader();
              long before = appendsSent(leader, transport);
              Thread.sleep(300);
              assertThat(appendsSent(leader, transport)).isGreaterThan(before);
              for (TestNode n : nodes) {
                if (n != leader) {
                  assertThat(peerTransport(leader, n, transport))
                      .as("leader to %s over %s", n.id().shortForm(), transport)
                      .isEqualTo(1.0);
                }
              }
              // What an operator sees: blixard raft on the leader, a transport per follower.
              String[] raft =
                  BlixardCliAccess.run("raft", "--json", "--node", leader.grpcAddress());
              assertThat(raft[0]).as("blixard raft: %s", raft[2]).isEqualTo("0");
              JsonNode followers = new ObjectMapper().readTree(raft[1]).get("followers");
              assertThat(followers).hasSize(2);
              followers.forEach(f -> assertThat(f.get("transport").asText()).isEqualTo(transport));
            });
  }

  private void awaitAdmittedEverywhere(List<NodeId> ids) {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              for (TestNode node : nodes) {
                NodeRegistry registry = node.bean(NodeRegistry.class);
                for (NodeId id : ids) {
                  assertThat(registry.isAdmitted(id))
                      .as("%s admitted on %s", id.shortForm(), node.id().shortForm())
                      .isTrue();
                }
              }
            });
  }

  @Test
  @Order(1)
  void theRaftPortStaysEveryNodesRaftAddressAndRaftStartsOverGrpc() {
    for (TestNode node : nodes) {
      NodeEndpoints endpoints = node.bean(NodeEndpoints.class);
      assertThat(endpoints.address(NodeEndpoints.Kind.RAFT).orElseThrow().getPort())
          .isEqualTo(node.raftPort())
          .isNotEqualTo(endpoints.address(NodeEndpoints.Kind.QUIC).orElseThrow().getPort());
    }
    awaitAppendsOver("grpc");
  }

  @Test
  @Order(2)
  void raftMovesToQuicAndBackAtRunTimeWithoutLosingAnAcknowledgedWrite() throws Exception {
    Queue<NodeId> acknowledged = new ConcurrentLinkedQueue<>();
    Queue<String> failed = new ConcurrentLinkedQueue<>();
    AtomicBoolean writing = new AtomicBoolean(true);
    Thread writer =
        new Thread(
            () -> {
              int i = 0;
              while (writing.get()) {
                NodeId id = someone();
                TestNode through = nodes.get(i++ % nodes.size());
                try {
                  admit(through, id);
                  acknowledged.add(id);
                } catch (Exception e) {
                  failed.add(through + ": " + e);
                }
              }
            },
            "registry-writer");
    writer.start();
    try {
      long grpcBefore = appendsSent(leader(), "grpc");
      setRaftTransport(RaftTransport.ALWAYS_QUIC);
      awaitAppendsOver("quic");
      setRaftTransport(RaftTransport.ALWAYS_GRPC);
      awaitAppendsOver("grpc");
      assertThat(appendsSent(leader(), "grpc")).isGreaterThan(grpcBefore);
    } finally {
      writing.set(false);
      writer.join(30_000);
    }
    // No write failed while Raft moved, and every acknowledged one is on every node.
    assertThat(failed).isEmpty();
    assertThat(acknowledged).hasSizeGreaterThan(10);
    awaitAdmittedEverywhere(List.copyOf(acknowledged));
  }

  @Test
  @Order(3)
  void aBrokenQuicPathToAFollowerFallsBackToGrpcAndComesBack() throws Exception {
    setRaftTransport(RaftTransport.ALWAYS_QUIC);
    awaitAppendsOver("quic");
    TestNode leader = leader();
    TestNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
    QuicRpcServer quic = follower.bean(QuicRpcServer.class);
    quic.stop();
    try {
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                assertThat(peerTransport(leader, follower, "grpc")).isEqualTo(1.0);
                assertThat(leader.bean(TransportsEndpoint.class).transports().raftPeers())
                    .containsEntry(follower.id().value(), "grpc");
              });
      List<NodeId> written = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        NodeId id = someone();
        admit(leader, id);
        written.add(id);
      }
      awaitAdmittedEverywhere(written);
      assertThat(leader()).isSameAs(leader);
    } finally {
      quic.start();
    }
    awaitAppendsOver("quic");
    assertThat(leader.bean(TransportsEndpoint.class).transports().raftPeers())
        .containsEntry(follower.id().value(), "quic");
    setRaftTransport(RaftTransport.ALWAYS_GRPC);
  }

  @Test
  @Order(4)
  void underAdaptiveRaftCommitsAndBothTransportsAreMeasured() throws Exception {
    setRaftTransport(RaftTransport.ADAPTIVE);
    TestNode leader = leader();
    long grpcProbes = probes(leader, "grpc");
    long quicProbes = probes(leader, "quic");
    List<NodeId> written = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      NodeId id = someone();
      admit(leader, id);
      written.add(id);
    }
    awaitAdmittedEverywhere(written);
    // Both transports are probed for their latency, whichever one adaptive picked.
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              assertThat(probes(leader, "grpc")).isGreaterThan(grpcProbes);
              assertThat(probes(leader, "quic")).isGreaterThan(quicProbes);
              assertThat(leader.bean(TransportsEndpoint.class).transports().raftPeers()).hasSize(2);
            });
    setRaftTransport(RaftTransport.ALWAYS_GRPC);
  }

  private static long probes(TestNode node, String transport) {
    return node
        .bean(MeterRegistry.class)
        .find(RaftRpcMetrics.CALLS)
        .tag("transport", transport)
        .tag("method", "GroupList")
        .tag("outcome", "ok")
        .timers()
        .stream()
        .mapToLong(Timer::count)
        .sum();
  }
}
