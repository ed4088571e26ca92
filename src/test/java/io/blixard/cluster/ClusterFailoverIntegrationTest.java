package io.blixard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.blixard.cli.BlixardCliAccess;
import io.blixard.cluster.registry.CommandLog;
import io.blixard.cluster.registry.RegistryCommands;
import io.blixard.health.HealthStatus;
import io.blixard.health.NodeReadiness;
import io.blixard.health.PeersHealthCheck;
import io.blixard.health.RaftHealthCheck;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.Admission;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.monitoring.v1.GetClusterHealthRequest;
import io.blixard.proto.monitoring.v1.GetClusterHealthResponse;
import io.blixard.proto.monitoring.v1.MonitoringServiceGrpc;
import io.blixard.proto.status.v1.ClusterNode;
import io.blixard.proto.status.v1.GetClusterStatusRequest;
import io.blixard.proto.status.v1.GetClusterStatusResponse;
import io.blixard.proto.status.v1.StatusServiceGrpc;
import io.blixard.security.CommandSigner;
import io.blixard.support.TestChannels;
import io.blixard.support.TestNode;
import io.blixard.support.TestOperator;
import io.blixard.transport.Transport;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
 * A three-node cluster in one JVM: every node tells the same story over gRPC, peers are probed,
 * killing the leader elects another, the old leader comes back as a follower with its state, and a
 * node that lost its quorum is not ready. A contract: a subclass per Raft transport runs it ({@link
 * ClusterFailoverWithGrpcRaftIntegrationTest}, {@link ClusterFailoverWithQuicRaftIntegrationTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class ClusterFailoverIntegrationTest {

  /** The arguments that choose the Raft transport, for every node and restart. */
  abstract String[] raftArgs();

  @TempDir static Path dirs;

  private final List<TestNode> nodes = new ArrayList<>();
  private NodeId oldLeader;
  private long oldTerm;

  @BeforeAll
  void startCluster() {
    TestNode first = TestNode.start(dirs.resolve("a"), raftArgs());
    await().atMost(Duration.ofSeconds(20)).until(() -> first.raft().leaderId().isPresent());
    nodes.add(first);
    nodes.add(TestNode.join(dirs.resolve("b"), first, raftArgs()));
    nodes.add(TestNode.join(dirs.resolve("c"), first, raftArgs()));
  }

  @AfterAll
  void stopCluster() {
    nodes.stream().filter(TestNode::isRunning).forEach(TestNode::close);
  }

  private List<TestNode> running() {
    return nodes.stream().filter(TestNode::isRunning).toList();
  }

  private static GetClusterStatusResponse status(TestNode node) {
    return StatusServiceGrpc.newBlockingStub(node.channel())
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
  }

  private static GetClusterHealthResponse clusterHealth(TestNode node) {
    return MonitoringServiceGrpc.newBlockingStub(node.channel())
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .getClusterHealth(GetClusterHealthRequest.getDefaultInstance());
  }

  /** Every running node answers with the same leader, term and voters; returns the leader. */
  private String awaitAgreement(int expectedVoters) {
    return awaitAgreement(expectedVoters, "");
  }

  /** As above, waiting for a leader other than {@code notLeader}. */
  private String awaitAgreement(int expectedVoters, String notLeader) {
    List<String> leader = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              List<GetClusterStatusResponse> statuses =
                  running().stream().map(ClusterFailoverIntegrationTest::status).toList();
              List<GetClusterHealthResponse> healths =
                  running().stream().map(ClusterFailoverIntegrationTest::clusterHealth).toList();
              GetClusterStatusResponse first = statuses.get(0);
              assertThat(first.getLeaderId()).isNotEmpty().isNotEqualTo(notLeader);
              Set<String> voters = voters(first);
              assertThat(voters).hasSize(expectedVoters);
              for (GetClusterStatusResponse s : statuses) {
                assertThat(s.getLeaderId()).isEqualTo(first.getLeaderId());
                assertThat(s.getTerm()).isEqualTo(first.getTerm());
                assertThat(voters(s)).isEqualTo(voters);
                assertThat(s.hasSinceLeaderContact()).isTrue();
              }
              for (GetClusterHealthResponse h : healths) {
                assertThat(h.getLeaderId()).isEqualTo(first.getLeaderId());
                assertThat(h.getTerm()).isEqualTo(first.getTerm());
                assertThat(h.getVoters()).isEqualTo(expectedVoters);
              }
              leader.clear();
              leader.add(first.getLeaderId());
            });
    return leader.get(0);
  }

  private static Set<String> voters(GetClusterStatusResponse status) {
    return status.getNodesList().stream()
        .filter(ClusterNode::getVoter)
        .map(ClusterNode::getNodeId)
        .collect(Collectors.toSet());
  }

  private TestNode node(String id) {
    return running().stream().filter(n -> n.id().value().equals(id)).findFirst().orElseThrow();
  }

  @Test
  @Order(1)
  void everyNodeReportsTheSameLeaderTermAndMembersOverGrpc() {
    String leader = awaitAgreement(3);
    assertThat(nodes.stream().map(n -> n.id().value())).contains(leader);
    assertThat(
            nodes.stream()
                .filter(n -> n.raft().role() == RaftRole.FOLLOWER)
                .map(n -> n.id().value()))
        .hasSize(2)
        .doesNotContain(leader);
  }

  @Test
  @Order(2)
  void everyNodeGivesTheSameAnswerOverQuic() throws Exception {
    String leader = awaitAgreement(3);
    GetClusterStatusResponse overGrpc = status(node(leader));
    for (TestNode node : nodes) {
      try (TestChannels.Opened quic = node.open(Transport.QUIC)) {
        GetClusterStatusResponse s =
            StatusServiceGrpc.newBlockingStub(quic.channel())
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
        GetClusterHealthResponse h =
            MonitoringServiceGrpc.newBlockingStub(quic.channel())
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .getClusterHealth(GetClusterHealthRequest.getDefaultInstance());
        assertThat(s.getReportedBy()).isEqualTo(node.id().value());
        assertThat(s.getLeaderId()).isEqualTo(leader);
        assertThat(s.getTerm()).isEqualTo(overGrpc.getTerm());
        assertThat(voters(s)).isEqualTo(voters(overGrpc));
        assertThat(h.getLeaderId()).isEqualTo(leader);
        assertThat(h.getTerm()).isEqualTo(overGrpc.getTerm());
        assertThat(h.getVoters()).isEqualTo(3);
      }
    }
  }

  @Test
  @Order(2)
  void everyNodeProbesItsPeersAndReportsThemReachable() {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              for (TestNode node : nodes) {
                GetClusterStatusResponse s = status(node);
                assertThat(s.getNodesList()).hasSize(3).allMatch(ClusterNode::getReachable);
                assertThat(s.getNodesList())
                    .filteredOn(n -> !n.getNodeId().equals(node.id().value()))
                    .allMatch(ClusterNode::hasRtt);
                assertThat(clusterHealth(node).getNodesHealthy()).isEqualTo(3);
                var peers = node.bean(PeersHealthCheck.class).check();
                assertThat(peers.status()).isEqualTo(HealthStatus.UP);
                assertThat(peers.detail()).startsWith("2 of 2 peers reachable");
                MeterRegistry meters = node.bean(MeterRegistry.class);
                for (TestNode peer : nodes) {
                  if (peer != node) {
                    assertThat(
                            meters
                                .get("blixard.peer.reachable")
                                .tag("peer", peer.id().value())
                                .gauge()
                                .value())
                        .isEqualTo(1.0);
                    assertThat(
                            meters
                                .get("blixard.peer.rtt")
                                .tag("peer", peer.id().value())
                                .gauge()
                                .value())
                        .isPositive();
                  }
                }
              }
            });
  }

  @Test
  @Order(3)
  void killingTheLeaderElectsAnotherThatTheSurvivorsReport() {
    String leader = awaitAgreement(3);
    TestNode killed = node(leader);
    oldLeader = killed.id();
    oldTerm = killed.raft().term();
    killed.close();

    String newLeader = awaitAgreement(3, leader);
    for (TestNode survivor : running()) {
      assertThat(survivor.raft().term()).isGreaterThan(oldTerm);
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              for (TestNode survivor : running()) {
                var peers = survivor.bean(PeersHealthCheck.class).check();
                assertThat(peers.status()).isEqualTo(HealthStatus.DEGRADED);
                assertThat(peers.detail()).startsWith("1 of 2 peers reachable");
                assertThat(survivor.bean(NodeReadiness.class).isReady()).isTrue();
              }
            });
  }

  @Test
  @Order(4)
  void theOldLeaderRestartedComesBackAsAFollowerWithItsState() {
    int index = nodes.indexOf(nodes.stream().filter(n -> !n.isRunning()).findFirst().orElseThrow());
    TestNode restarted = nodes.get(index).restart(raftArgs());
    nodes.set(index, restarted);
    assertThat(restarted.id()).isEqualTo(oldLeader);
    String leader = awaitAgreement(3);
    assertThat(leader).isNotEqualTo(oldLeader.value());
    RaftState state = restarted.raft();
    assertThat(state.role()).isEqualTo(RaftRole.FOLLOWER);
    assertThat(state.term()).isGreaterThan(oldTerm);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(restarted.bean(ClusterView.class).registry())
                    .extracting(RegisteredNode::nodeId)
                    .containsExactlyInAnyOrderElementsOf(
                        nodes.stream().map(TestNode::id).toList()));
  }

  @Test
  @Order(5)
  void aNodeThatLostItsQuorumIsNotReady() {
    awaitAgreement(3);
    List<TestNode> all = running();
    TestNode survivor = all.get(0);
    assertThat(survivor.bean(NodeReadiness.class).isReady()).isTrue();
    all.get(1).close();
    all.get(2).close();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(survivor.bean(NodeReadiness.class).isReady()).isFalse();
              var raft = survivor.bean(RaftHealthCheck.class).check();
              assertThat(raft.status()).isEqualTo(HealthStatus.DOWN);
            });
    String[] health =
        BlixardCliAccess.run(
            "cluster-health", "--node", survivor.grpcAddress(), "--transport", "grpc");
    // The answer came, and it is a failure: exit 1, saying so on stderr.
    assertThat(health[0]).as(health[2]).isEqualTo("1");
    assertThat(health[2]).contains("no quorum");
    assertThat(health[1])
        .containsPattern("failure tolerance +0 voter")
        .containsPattern("quorum +\\S");
  }

  @Test
  @Order(6)
  void aNodeWritesToTheRegistryAgainOnceItsQuorumIsBack() throws Exception {
    TestNode survivor = running().get(0);
    // Without a leader the write runs out of retries: Ratis closes the client's ordered window.
    assertThatThrownBy(() -> admit(survivor).get(20, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class);
    for (int i = 0; i < nodes.size(); i++) {
      if (!nodes.get(i).isRunning()) {
        nodes.set(i, nodes.get(i).restart(raftArgs()));
      }
    }
    awaitAgreement(3);
    await()
        .atMost(Duration.ofSeconds(20))
        .ignoreExceptions()
        .untilAsserted(() -> admit(survivor).get(5, TimeUnit.SECONDS));
  }

  private static CompletableFuture<Void> admit(TestNode node) {
    NodeId someone = NodeId.ofSubjectPublicKeyInfo(UUID.randomUUID().toString().getBytes());
    return node.bean(CommandLog.class)
        .submit(
            RegistryCommands.sign(
                CommandSigner.of(TestOperator.identity()),
                RegistryCommand.newBuilder()
                    .setAdmit(Admission.newBuilder().setNodeId(someone.value()))));
  }
}
