package io.blixard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.cluster.ClusterView;
import io.blixard.cluster.RegisteredNode;
import io.blixard.cluster.snapshot.SnapshotFile;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.cluster.v1.LeaveRequest;
import io.blixard.proto.cluster.v1.MembershipServiceGrpc;
import io.blixard.proto.cluster.v1.SaveSnapshotRequest;
import io.blixard.proto.cluster.v1.SnapshotServiceGrpc;
import io.blixard.proto.health.v1.CheckRequest;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.proto.monitoring.v1.GetMetricsRequest;
import io.blixard.proto.monitoring.v1.GetSystemInfoRequest;
import io.blixard.proto.monitoring.v1.MonitoringServiceGrpc;
import io.blixard.proto.status.v1.GetClusterStatusRequest;
import io.blixard.proto.status.v1.StatusServiceGrpc;
import io.blixard.support.TestDirectories;
import io.blixard.support.TestNode;
import io.blixard.support.TestOperator;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;

/**
 * The access policy from an attacker's position, written once and run over each transport: a caller
 * without a certificate, a stranger with a self-made one, a member and an operator call a real node
 * on its real ports. Whatever a refused caller tries, the cluster stays as it was.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
abstract class AccessContractTest {

  /**
   * Channels to the node presenting {@code identity} (null: no certificate); closed by the test.
   */
  interface Channels extends AutoCloseable {
    Channel channel(NodeIdentity identity);

    @Override
    void close();
  }

  TestNode node;
  Channels channels;
  NodeIdentity stranger;

  abstract Channels channels(TestNode node);

  /**
   * What a caller without a certificate meets: UNAUTHENTICATED where the transport lets it in, or a
   * failed handshake (QUIC needs a certificate).
   */
  abstract Status.Code anonymousRefusal();

  @BeforeAll
  void start() {
    node = TestNode.start(TestDirectories.newDataDir("blixard-access"));
    stranger =
        NodeIdentity.loadOrCreate(
            TestDirectories.newDataDir("blixard-stranger"), "stranger.key", "stranger.crt");
    channels = channels(node);
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(30))
        .until(() -> node.bean(ClusterView.class).registry().size() == 1);
  }

  @AfterAll
  void stop() {
    if (channels != null) {
      channels.close();
    }
    if (node != null) {
      node.close();
    }
  }

  private List<RegisteredNode> registry() {
    return node.bean(ClusterView.class).registry();
  }

  private MembershipServiceGrpc.MembershipServiceBlockingStub membership(NodeIdentity as) {
    return MembershipServiceGrpc.newBlockingStub(channels.channel(as))
        .withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private double refusals(String reason) {
    MeterRegistry meters = node.bean(MeterRegistry.class);
    return meters.find("blixard.security.refusals").tag("reason", reason).counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  @Test
  void theRolesComeFromTheReplicatedRegistry() {
    assertThat(node.bean(ClusterRoles.class))
        .isInstanceOf(io.blixard.cluster.registry.RegistryClusterRoles.class);
  }

  @Test
  void leaveWithoutCertificateChangesNothing() {
    List<RegisteredNode> before = registry();
    assertThatThrownBy(
            () ->
                membership(null)
                    .leave(LeaveRequest.newBuilder().setNodeId(node.id().value()).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(anonymousRefusal()));
    assertThat(registry()).isEqualTo(before);
    assertThat(node.raft().members()).hasSize(1);
  }

  @Test
  void leaveByAStrangerIsPermissionDeniedAndCounted() {
    List<RegisteredNode> before = registry();
    double refusedBefore = refusals("forbidden");
    assertThatThrownBy(
            () ->
                membership(stranger)
                    .leave(LeaveRequest.newBuilder().setNodeId(node.id().value()).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
              assertThat(e.getStatus().getDescription())
                  .contains("MembershipService/Leave needs an operator's certificate")
                  .contains(
                      "caller " + NodeId.of(stranger.certificate().getPublicKey()).shortForm())
                  .contains("neither a member nor an operator");
            });
    assertThat(registry()).isEqualTo(before);
    assertThat(node.raft().members()).hasSize(1);
    assertThat(refusals("forbidden")).isGreaterThan(refusedBefore);
  }

  @Test
  void leaveOfTheAnsweringNodeByAStrangerIsPermissionDenied() {
    // An empty node id names the node that answers.
    assertThatThrownBy(() -> membership(stranger).leave(LeaveRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
    assertThat(node.raft().members()).hasSize(1);
  }

  @Test
  void aMemberMayNotRemoveAnotherNode() {
    NodeIdentity member = node.bean(NodeIdentity.class);
    String other = NodeId.of(stranger.certificate().getPublicKey()).value();
    assertThatThrownBy(
            () -> membership(member).leave(LeaveRequest.newBuilder().setNodeId(other).build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
              assertThat(e.getStatus().getDescription()).contains("a member, not an operator");
            });
  }

  @Test
  void anOperatorMayRemoveANodeThatIsNotAMember() {
    String other = NodeId.of(stranger.certificate().getPublicKey()).value();
    var answer =
        membership(TestOperator.identity())
            .leave(LeaveRequest.newBuilder().setNodeId(other).build());
    assertThat(answer.getWasMember()).isFalse();
    assertThat(node.raft().members()).hasSize(1);
  }

  @Test
  void readsNeedAMembersOrAnOperatorsCertificate() {
    Channel strangerChannel = channels.channel(stranger);
    List<Runnable> reads =
        List.of(
            () ->
                StatusServiceGrpc.newBlockingStub(strangerChannel)
                    .getClusterStatus(GetClusterStatusRequest.getDefaultInstance()),
            () ->
                MonitoringServiceGrpc.newBlockingStub(strangerChannel)
                    .getMetrics(GetMetricsRequest.getDefaultInstance()),
            () ->
                MonitoringServiceGrpc.newBlockingStub(strangerChannel)
                    .getSystemInfo(GetSystemInfoRequest.getDefaultInstance()),
            () ->
                HealthServiceGrpc.newBlockingStub(strangerChannel)
                    .check(CheckRequest.getDefaultInstance()));
    for (Runnable read : reads) {
      assertThatThrownBy(read::run)
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                assertThat(e.getStatus().getDescription())
                    .contains("needs a member's or an operator's certificate");
              });
    }
    assertThatThrownBy(
            () ->
                StatusServiceGrpc.newBlockingStub(channels.channel(null))
                    .getClusterStatus(GetClusterStatusRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(anonymousRefusal()));
  }

  @Test
  void membersAndOperatorsRead() {
    for (NodeIdentity reader : List.of(node.bean(NodeIdentity.class), TestOperator.identity())) {
      var status =
          StatusServiceGrpc.newBlockingStub(channels.channel(reader))
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
      assertThat(status.getLeaderId()).isEqualTo(node.id().value());
    }
  }

  @Test
  void snapshotsAreForOperatorsOnlyAndArriveWhole() throws Exception {
    java.util.function.Function<NodeIdentity, byte[]> save =
        as -> {
          java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
          SnapshotServiceGrpc.newBlockingStub(channels.channel(as))
              .withDeadlineAfter(10, TimeUnit.SECONDS)
              .save(SaveSnapshotRequest.getDefaultInstance())
              .forEachRemaining(chunk -> bytes.writeBytes(chunk.getData().toByteArray()));
          return bytes.toByteArray();
        };
    for (NodeIdentity refused : List.of(node.bean(NodeIdentity.class), stranger)) {
      assertThatThrownBy(() -> save.apply(refused))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                assertThat(e.getStatus().getDescription())
                    .contains("SnapshotService/Save needs an operator's certificate");
              });
    }
    SnapshotFile file = SnapshotFile.parse(save.apply(TestOperator.identity()), "the answer");
    assertThat(file.takenBy()).isEqualTo(node.id().value());
    assertThat(file.registry().getNodesList())
        .extracting(io.blixard.proto.cluster.v1.NodeRecord::getNodeId)
        .containsExactly(node.id().value());
  }
}
