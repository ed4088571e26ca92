package io.blixard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.GetMembersRequest;
import io.blixard.proto.cluster.v1.GetMembersResponse;
import io.blixard.proto.cluster.v1.JoinRequest;
import io.blixard.proto.cluster.v1.Member;
import io.blixard.proto.cluster.v1.MembershipServiceGrpc;
import io.blixard.support.TestNode;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
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
 * Three nodes in one JVM: the second joins through the first over gRPC, the third through the
 * second (a follower) over QUIC. Every member then sees the same group; bad joins are refused with
 * their cause; a member that restarts keeps its place without joining again. A contract: a subclass
 * per Raft transport runs it ({@link ClusterJoinWithGrpcRaftIntegrationTest}, {@link
 * ClusterJoinWithQuicRaftIntegrationTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
abstract class ClusterJoinIntegrationTest {

  /** The arguments that choose the Raft transport, for every node and restart. */
  abstract String[] raftArgs();

  /** {@link #raftArgs()} and then {@code more}. */
  String[] with(String... more) {
    String[] all = java.util.Arrays.copyOf(raftArgs(), raftArgs().length + more.length);
    System.arraycopy(more, 0, all, raftArgs().length, more.length);
    return all;
  }

  @TempDir static Path dirs;

  private TestNode first;
  private TestNode second;
  private TestNode third;

  @BeforeAll
  void startCluster() {
    first = TestNode.start(dirs.resolve("a"), raftArgs());
    await().atMost(Duration.ofSeconds(20)).until(() -> first.raft().leaderId().isPresent());
    second = TestNode.join(dirs.resolve("b"), first, raftArgs());
    // Over QUIC, by node id: the member must prove it is that node.
    third =
        TestNode.start(
            dirs.resolve("c"), with("--blixard.cluster.join=" + second.quicMemberAddress()));
  }

  @AfterAll
  void stopCluster() {
    Stream.of(third, second, first).filter(n -> n != null).forEach(TestNode::close);
  }

  private List<TestNode> nodes() {
    return List.of(first, second, third);
  }

  private static GetMembersResponse members(TestNode node) {
    return MembershipServiceGrpc.newBlockingStub(node.channel())
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .getMembers(GetMembersRequest.getDefaultInstance());
  }

  @Test
  @Order(1)
  void everyMemberSeesTheSameGroupOfThreeVoters() {
    Set<String> ids = nodes().stream().map(n -> n.id().value()).collect(Collectors.toSet());
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              for (TestNode node : nodes()) {
                GetMembersResponse group = members(node);
                assertThat(group.getMembersList())
                    .allMatch(Member::getVoter)
                    .extracting(Member::getNodeId)
                    .containsExactlyInAnyOrderElementsOf(ids);
                assertThat(group.getLeaderId()).isIn(ids);
                assertThat(group.getLeaderId()).isEqualTo(members(first).getLeaderId());
                assertThat(group.getGroupId()).isEqualTo(first.raft().groupId());
              }
            });
    assertThat(nodes().stream().filter(n -> n.raft().role() == RaftRole.FOLLOWER)).hasSize(2);
  }

  @Test
  @Order(2)
  void everyNodeIsInTheReplicatedRegistryWithItsAddresses() {
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              for (TestNode node : nodes()) {
                List<RegisteredNode> registry = node.bean(ClusterView.class).registry();
                assertThat(registry)
                    .extracting(RegisteredNode::nodeId)
                    .containsExactlyInAnyOrderElementsOf(
                        nodes().stream().map(TestNode::id).toList());
                for (TestNode member : nodes()) {
                  assertThat(registry)
                      .filteredOn(r -> r.nodeId().equals(member.id()))
                      .singleElement()
                      .satisfies(r -> assertThat(r.grpcAddress()).isEqualTo(member.grpcAddress()));
                }
              }
            });
  }

  @Test
  @Order(2)
  void theLeaderReportsEachFollowersLagAndPeerProbesCountAsCallsOfNodes() {
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              TestNode leader =
                  nodes().stream().filter(n -> n.raft().isLeader()).findFirst().orElseThrow();
              for (TestNode node : nodes()) {
                io.micrometer.core.instrument.MeterRegistry meters =
                    node.bean(io.micrometer.core.instrument.MeterRegistry.class);
                Set<String> followers =
                    meters.find("blixard.raft.follower.lag").gauges().stream()
                        .peek(g -> assertThat(g.value()).isGreaterThanOrEqualTo(0))
                        .map(g -> g.getId().getTag("follower"))
                        .collect(Collectors.toSet());
                assertThat(followers)
                    .as("followers in the lag gauge of %s", node)
                    .isEqualTo(
                        node == leader
                            ? nodes().stream()
                                .filter(n -> n != leader)
                                .map(n -> n.id().value())
                                .collect(Collectors.toSet())
                            : Set.of());
                assertThat(
                        meters.find("blixard.rpc.server").tag("caller", "node").timers().stream()
                            .mapToLong(io.micrometer.core.instrument.Timer::count)
                            .sum())
                    .as("calls of member nodes (peer probes) served by %s", node)
                    .isPositive();
              }
            });
  }

  @Test
  @Order(3)
  void aNodeIdThatIsNotTheHashOfItsKeyIsRefused() {
    JoinRequest forged =
        JoinRequest.newBuilder()
            .setNodeId(second.id().value())
            .setPublicKey(ByteString.copyFromUtf8("not the key of that node"))
            .setRaftAddress("127.0.0.1:1")
            .build();
    assertThatThrownBy(
            () ->
                MembershipServiceGrpc.newBlockingStub(first.channel())
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .join(forged))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .contains("is not the hash of the public key");
            });
  }

  @Test
  @Order(4)
  void aMemberIdWithAnotherRaftAddressIsRefusedAsAConflict() {
    TestNode member = third;
    JoinRequest again =
        JoinRequest.newBuilder()
            .setNodeId(member.id().value())
            .setPublicKey(
                ByteString.copyFrom(
                    member
                        .bean(io.blixard.node.NodeIdentity.class)
                        .certificate()
                        .getPublicKey()
                        .getEncoded()))
            .setRaftAddress("127.0.0.1:1")
            .build();
    // Asked by the member itself: only the joining node may ask for its own join.
    io.grpc.ManagedChannel asMember =
        member
            .bean(io.blixard.transport.grpc.GrpcChannelFactory.class)
            .newChannel(io.blixard.node.NodeAddress.of("127.0.0.1", second.grpcPort()));
    assertThatThrownBy(
            () ->
                MembershipServiceGrpc.newBlockingStub(asMember)
                    .withDeadlineAfter(5, TimeUnit.SECONDS)
                    .join(again))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.ALREADY_EXISTS);
              assertThat(e.getStatus().getDescription())
                  .contains("is already a member with Raft address")
                  .contains("blixard cluster leave --id " + member.id());
            });
    asMember.shutdownNow();
  }

  @Test
  @Order(5)
  void aJoinThatReachesNoMemberFailsStartUpNamingTheCause() throws Exception {
    int closedPort;
    try (ServerSocket socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    assertThatThrownBy(
            () ->
                TestNode.start(
                        dirs.resolve("lonely"),
                        with(
                            "--blixard.cluster.join=127.0.0.1:" + closedPort,
                            "--blixard.cluster.join-retry.timeout=1s",
                            "--blixard.cluster.join-retry.call-timeout=500ms"))
                    .close())
        .satisfies(
            e ->
                assertThat(messages(e))
                    .contains("cannot join the cluster within PT1S")
                    .contains("member 127.0.0.1:" + closedPort + " is not reachable"));
    // Nothing is left behind: a later start may join again.
    assertThat(dirs.resolve("lonely/raft")).isEmptyDirectory();
  }

  @Test
  @Order(6)
  void aMemberThatRestartsKeepsItsPlaceAndDoesNotJoinAgain() {
    String group = first.raft().groupId();
    NodeId id = third.id();
    // Still configured to join: a member with Raft state never does.
    third = third.restart(with("--blixard.cluster.join=" + second.grpcAddress()));
    assertThat(third.id()).isEqualTo(id);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              RaftState state = third.raft();
              assertThat(state.groupId()).isEqualTo(group);
              assertThat(state.role()).isEqualTo(RaftRole.FOLLOWER);
              assertThat(state.leaderId()).isPresent();
              assertThat(state.voters()).isEqualTo(3);
              assertThat(third.bean(ClusterView.class).registry()).hasSize(3);
            });
  }

  @Test
  @Order(7)
  void blixardClusterLeaveTakesANodeOutOfTheGroupAndTheRegistry() {
    NodeId leaving = third.id();
    int exit = io.blixard.cli.BlixardCli.execute("cluster", "leave", "--node", third.grpcAddress());
    assertThat(exit).isZero();
    for (TestNode node : List.of(first, second)) {
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () -> {
                assertThat(members(node).getMembersList())
                    .extracting(Member::getNodeId)
                    .containsExactlyInAnyOrder(first.id().value(), second.id().value());
                assertThat(node.bean(ClusterView.class).registry())
                    .extracting(RegisteredNode::nodeId)
                    .doesNotContain(leaving);
              });
    }
    // Leaving again is not an error: there is nothing left to do.
    var again =
        MembershipServiceGrpc.newBlockingStub(first.channel())
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .leave(
                io.blixard.proto.cluster.v1.LeaveRequest.newBuilder()
                    .setNodeId(leaving.value())
                    .build());
    assertThat(again.getWasMember()).isFalse();
    third.close();
    third = null;
  }

  @Test
  @Order(8)
  void aLeavingLeaderHandsLeadershipOverFirst() {
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> first.raft().isLeader() || second.raft().isLeader());
    TestNode leader = first.raft().isLeader() ? first : second;
    TestNode remaining = leader == first ? second : first;
    var left =
        MembershipServiceGrpc.newBlockingStub(leader.channel())
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .leave(io.blixard.proto.cluster.v1.LeaveRequest.getDefaultInstance());
    assertThat(left.getNodeId()).isEqualTo(leader.id().value());
    assertThat(left.getWasMember()).isTrue();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              GetMembersResponse group = members(remaining);
              assertThat(group.getLeaderId()).isEqualTo(remaining.id().value());
              assertThat(group.getMembersList())
                  .extracting(Member::getNodeId)
                  .containsExactly(remaining.id().value());
              assertThat(remaining.bean(ClusterView.class).registry())
                  .extracting(RegisteredNode::nodeId)
                  .containsExactly(remaining.id());
            });
    // The last voter cannot leave: the group would have none.
    assertThatThrownBy(
            () ->
                MembershipServiceGrpc.newBlockingStub(remaining.channel())
                    .withDeadlineAfter(10, TimeUnit.SECONDS)
                    .leave(io.blixard.proto.cluster.v1.LeaveRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
              assertThat(e.getStatus().getDescription()).contains("is the only voter");
            });
  }

  private static String messages(Throwable e) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      all.append(t.getMessage()).append('\n');
    }
    return all.toString();
  }
}
