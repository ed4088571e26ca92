package io.blixard.transport.quic.raft;

import static io.blixard.support.RegistryWrites.admit;
import static io.blixard.support.RegistryWrites.someone;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.blixard.cluster.ClusterView;
import io.blixard.cluster.RaftRole;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeId;
import io.blixard.proto.raft.v1.RaftMessage;
import io.blixard.proto.raft.v1.RaftServiceGrpc;
import io.blixard.support.TestChannels;
import io.blixard.support.TestNode;
import io.blixard.transport.Transport;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
 * Three in-process nodes whose Raft runs over QUIC ({@code raft-transport: always-quic}): they
 * bootstrap and join, agree on leader, term and members, replicate registry writes, elect a new
 * leader when the leader stops and take the old one back; Ratis's own gRPC port is never opened,
 * and the Raft calls are counted on the QUIC server of every node.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RaftOverQuicIntegrationTest {

  private static final String QUIC_RAFT = "--blixard.transport.strategy.raft-transport=always-quic";

  @TempDir static Path dirs;

  private final List<TestNode> nodes = new ArrayList<>();

  @BeforeAll
  void startCluster() {
    TestNode first = TestNode.start(dirs.resolve("a"), QUIC_RAFT);
    nodes.add(first);
    await().atMost(Duration.ofSeconds(20)).until(() -> first.raft().leaderId().isPresent());
    nodes.add(TestNode.join(dirs.resolve("b"), first, QUIC_RAFT));
    nodes.add(TestNode.join(dirs.resolve("c"), first, QUIC_RAFT));
  }

  @AfterAll
  void stopCluster() {
    nodes.stream().filter(TestNode::isRunning).forEach(TestNode::close);
  }

  private List<TestNode> running() {
    return nodes.stream().filter(TestNode::isRunning).toList();
  }

  /** Every running node names the same leader (not {@code notLeader}), term and three voters. */
  private RaftState awaitAgreement(NodeId notLeader) {
    List<RaftState> agreed = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              List<RaftState> states =
                  running().stream().map(n -> n.bean(ClusterView.class).requireState()).toList();
              RaftState first = states.get(0);
              assertThat(first.leaderId())
                  .isPresent()
                  .isNotEqualTo(java.util.Optional.ofNullable(notLeader));
              for (RaftState s : states) {
                assertThat(s.leaderId()).isEqualTo(first.leaderId());
                assertThat(s.term()).isEqualTo(first.term());
                assertThat(s.members()).hasSize(3).allMatch(RaftState.Member::voter);
              }
              agreed.clear();
              agreed.add(first);
            });
    return agreed.get(0);
  }

  private void awaitAdmittedEverywhere(NodeId someone) {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              for (TestNode node : running()) {
                assertThat(node.bean(NodeRegistry.class).isAdmitted(someone))
                    .as("admitted on %s", node.id().shortForm())
                    .isTrue();
              }
            });
  }

  /** Raft requests the node's Raft server was handed over QUIC (stream messages included). */
  private static long raftCallsServed(TestNode node, String method) {
    return (long)
        node
            .bean(MeterRegistry.class)
            .find(RaftRpcMetrics.SERVED)
            .tag("transport", "quic")
            .tag("method", method)
            .counters()
            .stream()
            .mapToDouble(Counter::count)
            .sum();
  }

  @Test
  @Order(1)
  void theNodesAgreeOnLeaderTermAndMembers() {
    RaftState state = awaitAgreement(null);
    assertThat(running()).filteredOn(n -> n.raft().role() == RaftRole.FOLLOWER).hasSize(2);
    assertThat(nodes.stream().map(TestNode::id)).contains(state.leaderId().orElseThrow());
  }

  @Test
  @Order(2)
  void raftRunsOnTheQuicListenerAndNoRaftPortIsOpen() throws IOException {
    RaftState state = awaitAgreement(null);
    for (TestNode node : nodes) {
      NodeEndpoints endpoints = node.bean(NodeEndpoints.class);
      int raft = endpoints.address(NodeEndpoints.Kind.RAFT).orElseThrow().getPort();
      assertThat(raft)
          .isEqualTo(endpoints.address(NodeEndpoints.Kind.QUIC).orElseThrow().getPort());
      // Nothing listens on TCP at the Raft address: Ratis's gRPC server never started.
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress("127.0.0.1", raft));
      }
      assertThat(state.members())
          .filteredOn(m -> m.nodeId().equals(node.id()))
          .singleElement()
          .satisfies(m -> assertThat(m.raftAddress()).isEqualTo("127.0.0.1:" + raft));
    }
    NodeId leader = state.leaderId().orElseThrow();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> {
              for (TestNode node : nodes) {
                if (!node.id().equals(leader)) {
                  assertThat(raftCallsServed(node, "AppendEntries"))
                      .as("appendEntries served over QUIC on %s", node.id().shortForm())
                      .isPositive();
                }
              }
              // The followers' own registry writes reach the leader as Raft client requests.
              TestNode leaderNode =
                  nodes.stream().filter(n -> n.id().equals(leader)).findFirst().orElseThrow();
              assertThat(raftCallsServed(leaderNode, "ClientRequest")).isPositive();
              assertThat(
                      leaderNode
                          .bean(MeterRegistry.class)
                          .find("blixard.raft.rpc")
                          .tag("transport", "quic")
                          .tag("method", "AppendEntries")
                          .tag("outcome", "ok")
                          .timers()
                          .stream()
                          .mapToLong(Timer::count)
                          .sum())
                  .isPositive();
            });
  }

  @Test
  @Order(3)
  void aCallerThatIsNotAMemberIsRefusedByTheRaftService() throws Exception {
    TestNode node = nodes.get(0);
    // Test channels present the test operator's certificate: an operator, not a member.
    try (TestChannels.Opened quic = node.open(Transport.QUIC)) {
      assertThatThrownBy(
              () ->
                  RaftServiceGrpc.newBlockingStub(quic.channel())
                      .withDeadlineAfter(5, TimeUnit.SECONDS)
                      .requestVote(RaftMessage.getDefaultInstance()))
          .isInstanceOf(StatusRuntimeException.class)
          .hasMessageContaining("PERMISSION_DENIED")
          .hasMessageContaining("not a member of the Raft group");
    }
  }

  @Test
  @Order(3)
  void registryWritesThroughAnyNodeAgreeOnAllNodes() throws Exception {
    awaitAgreement(null);
    for (TestNode node : nodes) {
      NodeId someone = someone();
      admit(node, someone);
      awaitAdmittedEverywhere(someone);
    }
  }

  @Test
  @Order(3)
  void concurrentWritesKeepSeveralAppendEntriesInFlightPerFollower() throws Exception {
    RaftState state = awaitAgreement(null);
    TestNode leader =
        nodes.stream()
            .filter(n -> n.id().equals(state.leaderId().orElseThrow()))
            .findFirst()
            .orElseThrow();
    List<NodeId> written = new ArrayList<>();
    ExecutorService writers = Executors.newFixedThreadPool(16);
    try {
      List<Future<?>> writes = new ArrayList<>();
      for (int i = 0; i < 64; i++) {
        NodeId someone = someone();
        written.add(someone);
        writes.add(
            writers.submit(
                () -> {
                  admit(leader, someone);
                  return null;
                }));
      }
      for (Future<?> write : writes) {
        write.get(30, TimeUnit.SECONDS);
      }
    } finally {
      writers.shutdownNow();
    }
    written.forEach(this::awaitAdmittedEverywhere);
    DistributionSummary depth =
        leader
            .bean(MeterRegistry.class)
            .find(RaftRpcMetrics.IN_FLIGHT)
            .tag("transport", "quic")
            .summary();
    assertThat(depth).isNotNull();
    assertThat(depth.max())
        .as("appendEntries requests in flight on one stream, at most")
        .isGreaterThan(1);
  }

  @Test
  @Order(4)
  void whenTheLeaderStopsAnotherIsElectedAndTheOldOneComesBackAsAFollower() throws Exception {
    RaftState before = awaitAgreement(null);
    NodeId oldLeader = before.leaderId().orElseThrow();
    int index = -1;
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).id().equals(oldLeader)) {
        index = i;
      }
    }
    TestNode leader = nodes.get(index);
    int quicPort =
        leader.bean(NodeEndpoints.class).address(NodeEndpoints.Kind.QUIC).orElseThrow().getPort();
    leader.close();

    List<RaftState> after = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              List<RaftState> states =
                  running().stream().map(n -> n.bean(ClusterView.class).requireState()).toList();
              assertThat(states).hasSize(2);
              assertThat(states.get(0).leaderId()).isPresent().isNotEqualTo(before.leaderId());
              assertThat(states.get(1).leaderId()).isEqualTo(states.get(0).leaderId());
              after.clear();
              after.add(states.get(0));
            });
    assertThat(after.get(0).term()).isGreaterThan(before.term());
    NodeId written = someone();
    admit(running().get(0), written);
    awaitAdmittedEverywhere(written);

    // Back on its QUIC port, which is its Raft address in the group.
    nodes.set(index, leader.restart("--blixard.transport.quic.port=" + quicPort, QUIC_RAFT));
    RaftState rejoined = awaitAgreement(null);
    assertThat(rejoined.leaderId()).isEqualTo(after.get(0).leaderId());
    awaitAdmittedEverywhere(written);
    assertThat(nodes.get(index).raft().role()).isEqualTo(RaftRole.FOLLOWER);
  }
}
