package io.blixard.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.blixard.cli.BlixardCliAccess;
import io.blixard.cluster.ClusterView;
import io.blixard.cluster.PeerProbes;
import io.blixard.cluster.RaftRole;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.RegisteredNode;
import io.blixard.cluster.registry.CommandLog;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.cluster.registry.RegistryCommands;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.Admission;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.security.CommandSigner;
import io.blixard.support.TestNode;
import io.blixard.support.TestOperator;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
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
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

/**
 * Three in-process quic-mode nodes: no gRPC listener and no Raft TCP port. The first bootstraps,
 * the others join through its {@code NODEID@host:quicPort}; they replicate registry writes, elect a
 * new leader when the leader stops, take it back, and a member leaves, all over QUIC.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class QuicModeIntegrationTest {

  @TempDir static Path dirs;

  private final List<TestNode> nodes = new ArrayList<>();
  private final List<int[]> tcpPorts = new ArrayList<>();

  @BeforeAll
  void startCluster() throws IOException {
    nodes.add(startQuic("a", null));
    await().atMost(Duration.ofSeconds(20)).until(() -> nodes.get(0).raft().leaderId().isPresent());
    nodes.add(startQuic("b", nodes.get(0)));
    nodes.add(startQuic("c", nodes.get(0)));
  }

  /**
   * A quic-mode node given free gRPC and Raft ports, which it must leave free: it bootstraps, or
   * joins through {@code member}'s QUIC address.
   */
  private TestNode startQuic(String dir, TestNode member) throws IOException {
    int grpc = freePort();
    int raft = freePort();
    tcpPorts.add(new int[] {grpc, raft});
    String[] ports = {
      "--blixard.transport.grpc.port=" + grpc, "--blixard.cluster.raft.port=" + raft
    };
    return member == null
        ? TestNode.startQuic(dirs.resolve(dir), ports)
        : TestNode.joinQuic(dirs.resolve(dir), member, ports);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  @AfterAll
  void stopCluster() {
    nodes.stream().filter(TestNode::isRunning).forEach(TestNode::close);
  }

  private List<TestNode> running() {
    return nodes.stream().filter(TestNode::isRunning).toList();
  }

  /** Every running node names the same leader (not {@code notLeader}), term and voters. */
  private RaftState awaitAgreement(NodeId notLeader, int voters) {
    List<RaftState> agreed = new ArrayList<>();
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              List<RaftState> states =
                  running().stream().map(n -> n.bean(ClusterView.class).requireState()).toList();
              RaftState first = states.get(0);
              assertThat(first.leaderId()).isPresent().isNotEqualTo(Optional.ofNullable(notLeader));
              for (RaftState s : states) {
                assertThat(s.leaderId()).isEqualTo(first.leaderId());
                assertThat(s.term()).isEqualTo(first.term());
                assertThat(s.members()).hasSize(voters).allMatch(RaftState.Member::voter);
              }
              agreed.clear();
              agreed.add(first);
            });
    return agreed.get(0);
  }

  private static NodeId admitSomeone(TestNode node) throws Exception {
    NodeId someone = NodeId.ofSubjectPublicKeyInfo(UUID.randomUUID().toString().getBytes());
    node.bean(CommandLog.class)
        .submit(
            RegistryCommands.sign(
                CommandSigner.of(TestOperator.identity()),
                RegistryCommand.newBuilder()
                    .setAdmit(Admission.newBuilder().setNodeId(someone.value()))))
        .get(20, TimeUnit.SECONDS);
    return someone;
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

  @Test
  @Order(1)
  void theNodesJoinedOverQuicAndAgree() {
    RaftState state = awaitAgreement(null, 3);
    assertThat(running()).filteredOn(n -> n.raft().role() == RaftRole.FOLLOWER).hasSize(2);
    for (TestNode node : nodes) {
      assertThat(state.members())
          .filteredOn(m -> m.nodeId().equals(node.id()))
          .singleElement()
          .satisfies(m -> assertThat(m.raftAddress()).isEqualTo("127.0.0.1:" + node.quicPort()));
    }
  }

  @Test
  @Order(2)
  void noNodeListensOnTcpForGrpcOrRaft() throws IOException {
    awaitAgreement(null, 3);
    for (int i = 0; i < nodes.size(); i++) {
      TestNode node = nodes.get(i);
      assertThat(node.context().getBeansOfType(GrpcServerLifecycle.class)).isEmpty();
      NodeEndpoints endpoints = node.bean(NodeEndpoints.class);
      assertThat(endpoints.address(NodeEndpoints.Kind.GRPC)).isEmpty();
      assertThat(endpoints.address(NodeEndpoints.Kind.RAFT).orElseThrow().getPort())
          .isEqualTo(node.quicPort());
      // The configured gRPC and Raft ports are still free, and so is the QUIC port on TCP.
      for (int port : new int[] {tcpPorts.get(i)[0], tcpPorts.get(i)[1], node.quicPort()}) {
        try (ServerSocket probe = new ServerSocket()) {
          probe.bind(new InetSocketAddress("127.0.0.1", port));
        }
      }
    }
    // Every member registered a QUIC address and no gRPC address.
    assertThat(nodes.get(0).bean(ClusterView.class).registry())
        .hasSize(3)
        .allSatisfy(
            n -> {
              assertThat(n.grpcAddress()).isEmpty();
              assertThat(n.quicAddress()).isNotEmpty();
            });
  }

  @Test
  @Order(3)
  void registryWritesThroughAnyNodeAgreeOnAllNodes() throws Exception {
    awaitAgreement(null, 3);
    for (TestNode node : nodes) {
      awaitAdmittedEverywhere(admitSomeone(node));
    }
  }

  @Test
  @Order(3)
  void theCliAnswersOverQuicAloneAndThePeersProbeEachOtherOverQuic() {
    awaitAgreement(null, 3);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              for (TestNode node : nodes) {
                assertThat(node.bean(PeerProbes.class).all())
                    .hasSize(2)
                    .allSatisfy(
                        p -> {
                          assertThat(p.reachable()).as(p.toString()).isTrue();
                          assertThat(p.address()).contains("@");
                        });
              }
            });
    TestNode node = nodes.get(1);
    for (String[] command :
        List.of(
            new String[] {"status"},
            new String[] {"health"},
            new String[] {"raft"},
            new String[] {"cluster-health"},
            new String[] {"cluster", "members"},
            new String[] {"ping", "--count", "1"})) {
      List<String> args = new ArrayList<>(List.of(command));
      args.addAll(List.of("--node", node.quicMemberAddress()));
      String[] run = BlixardCliAccess.run(args.toArray(String[]::new));
      System.out.println("$ blixard " + String.join(" ", args) + "\n" + run[1] + run[2]);
      assertThat(run[0]).as(String.join(" ", command) + ": " + run[2]).isEqualTo("0");
      if (command[0].equals("health")) {
        assertThat(run[1]).containsPattern("peers +UP");
      }
      if (command[0].equals("status") || command[0].equals("cluster")) {
        for (TestNode member : nodes) {
          assertThat(run[1]).contains(member.id().shortForm());
        }
      }
    }
  }

  @Test
  @Order(4)
  void whenTheLeaderStopsAnotherIsElectedAndTheOldOneComesBack() throws Exception {
    RaftState before = awaitAgreement(null, 3);
    NodeId oldLeader = before.leaderId().orElseThrow();
    int index = 0;
    while (!nodes.get(index).id().equals(oldLeader)) {
      index++;
    }
    TestNode leader = nodes.get(index);
    int quicPort = leader.quicPort();
    leader.close();

    RaftState after = awaitAgreementOfTwo(before);
    assertThat(after.term()).isGreaterThan(before.term());
    NodeId written = admitSomeone(running().get(0));
    awaitAdmittedEverywhere(written);

    nodes.set(
        index, TestNode.startQuic(leader.dataDir(), "--blixard.transport.quic.port=" + quicPort));
    RaftState rejoined = awaitAgreement(null, 3);
    assertThat(rejoined.leaderId()).isEqualTo(after.leaderId());
    awaitAdmittedEverywhere(written);
    assertThat(nodes.get(index).raft().role()).isEqualTo(RaftRole.FOLLOWER);
  }

  private RaftState awaitAgreementOfTwo(RaftState before) {
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
    return after.get(0);
  }

  @Test
  @Order(5)
  void aFollowerLeavesOverQuic() {
    RaftState state = awaitAgreement(null, 3);
    TestNode follower =
        running().stream()
            .filter(n -> !n.id().equals(state.leaderId().orElseThrow()))
            .findFirst()
            .orElseThrow();
    int exit =
        io.blixard.cli.BlixardCli.execute(
            "cluster", "leave", "--node", follower.quicMemberAddress());
    assertThat(exit).isZero();
    follower.close();
    awaitAgreement(null, 2);
    for (TestNode node : running()) {
      assertThat(node.bean(ClusterView.class).registry())
          .extracting(RegisteredNode::nodeId)
          .doesNotContain(follower.id());
    }
  }
}
