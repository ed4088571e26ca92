package io.blixard.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.GetMembersRequest;
import io.blixard.proto.cluster.v1.GetMembersResponse;
import io.blixard.proto.cluster.v1.JoinRequest;
import io.blixard.proto.cluster.v1.LeaveRequest;
import io.blixard.proto.cluster.v1.LeaveResponse;
import io.blixard.proto.cluster.v1.MembershipServiceGrpc;
import io.blixard.proto.status.v1.GetClusterStatusRequest;
import io.blixard.proto.status.v1.StatusServiceGrpc;
import io.blixard.support.SingleNodeTestSupport;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * {@code blixard.cluster.v1.MembershipService}: the same answers and the same refusals over every
 * transport (one subclass per transport). Written against the RPCs alone; the calls here never
 * change the group (joins are refused, leaves name a node that is not a member), since the node is
 * shared with the other contract suites.
 */
public abstract class MembershipContractTest extends SingleNodeTestSupport {

  private MembershipServiceGrpc.MembershipServiceBlockingStub membership() {
    return MembershipServiceGrpc.newBlockingStub(channel()).withDeadlineAfter(10, TimeUnit.SECONDS);
  }

  private String self() {
    return identity.nodeId().value();
  }

  /** A join this node would accept but for what a test changes. */
  private JoinRequest.Builder selfJoin() {
    return JoinRequest.newBuilder()
        .setNodeId(self())
        .setPublicKey(ByteString.copyFrom(identity.certificate().getPublicKey().getEncoded()))
        .setRaftAddress(endpoints.hostAndPort(NodeEndpoints.Kind.RAFT))
        .setGrpcAddress(endpoints.hostAndPort(NodeEndpoints.Kind.GRPC))
        .setQuicAddress(endpoints.hostAndPort(NodeEndpoints.Kind.QUIC))
        .setHttpAddress(endpoints.hostAndPort(NodeEndpoints.Kind.HTTP));
  }

  /** A new EC P-256 public key (DER SubjectPublicKeyInfo) that belongs to no node. */
  private static byte[] strangerKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair().getPublic().getEncoded();
  }

  @Test
  void getMembersNamesThisNodeAsTheOnlyVoterAndLeader() {
    GetMembersResponse members = membership().getMembers(GetMembersRequest.getDefaultInstance());

    assertThat(members.getLeaderId()).isEqualTo(self());
    assertThat(members.getReportedBy()).isEqualTo(self());
    assertThat(members.getTerm()).isPositive();
    assertThat(members.getMembersList())
        .singleElement()
        .satisfies(
            member -> {
              assertThat(member.getNodeId()).isEqualTo(self());
              assertThat(member.getRaftAddress())
                  .isEqualTo(endpoints.hostAndPort(NodeEndpoints.Kind.RAFT));
              assertThat(member.getVoter()).isTrue();
            });
  }

  @Test
  void getMembersNamesTheSameGroupAndTermAsTheStatusService() {
    GetMembersResponse members = membership().getMembers(GetMembersRequest.getDefaultInstance());
    var cluster =
        StatusServiceGrpc.newBlockingStub(channel())
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());

    assertThat(members.getGroupId()).isNotBlank().isEqualTo(cluster.getGroupId());
    assertThat(members.getTerm()).isEqualTo(cluster.getTerm());
  }

  @Test
  void joinWithAMalformedNodeIdIsInvalidArgument() {
    assertRefused(
        selfJoin().setNodeId("not-a-node-id"),
        Status.Code.INVALID_ARGUMENT,
        "\"not-a-node-id\"",
        "expected: 52 characters of lowercase base32");
  }

  @Test
  void joinWithANodeIdThatIsNotTheHashOfItsKeyIsInvalidArgument() throws Exception {
    byte[] stranger = strangerKey();

    // This node's id with somebody else's key: the id must be the hash of the key sent with it.
    assertRefused(
        selfJoin().setPublicKey(ByteString.copyFrom(stranger)),
        Status.Code.INVALID_ARGUMENT,
        self(),
        "not the hash of the public key",
        NodeId.ofSubjectPublicKeyInfo(stranger).value());
  }

  @Test
  void joinWithoutAPublicKeyIsInvalidArgument() {
    assertRefused(
        selfJoin().clearPublicKey(),
        Status.Code.INVALID_ARGUMENT,
        "not the hash of the public key");
  }

  @Test
  void joinWithoutARaftAddressIsInvalidArgument() throws Exception {
    byte[] key = strangerKey();
    String stranger = NodeId.ofSubjectPublicKeyInfo(key).value();

    assertRefused(
        JoinRequest.newBuilder().setNodeId(stranger).setPublicKey(ByteString.copyFrom(key)),
        Status.Code.INVALID_ARGUMENT,
        stranger,
        "empty Raft address",
        "expected: host:port");
    assertThatNobodyJoined();
  }

  @Test
  void joinInTheNameOfAnotherNodeIsPermissionDenied() {
    // The caller here is the test operator: a join may only be asked for by the joining node.
    String current = endpoints.hostAndPort(NodeEndpoints.Kind.RAFT);

    assertRefused(selfJoin().setRaftAddress("127.0.0.1:1"), Status.Code.PERMISSION_DENIED, self());
    assertThat(membership().getMembers(GetMembersRequest.getDefaultInstance()).getMembersList())
        .singleElement()
        .satisfies(m -> assertThat(m.getRaftAddress()).isEqualTo(current));
  }

  @Test
  void leaveOfANodeThatIsNotAMemberAnswersOkAndWasMemberFalse() throws Exception {
    String stranger = NodeId.ofSubjectPublicKeyInfo(strangerKey()).value();

    LeaveResponse left = membership().leave(LeaveRequest.newBuilder().setNodeId(stranger).build());

    assertThat(left.getNodeId()).isEqualTo(stranger);
    assertThat(left.getWasMember()).isFalse();
    assertThat(left.getLeaderId()).isEqualTo(self());
    // Leave is idempotent: the same answer again.
    assertThat(membership().leave(LeaveRequest.newBuilder().setNodeId(stranger).build()))
        .isEqualTo(left);
    assertThatNobodyJoined();
  }

  @Test
  void leaveOfAMalformedNodeIdIsInvalidArgument() {
    assertThatThrownBy(
            () -> membership().leave(LeaveRequest.newBuilder().setNodeId("nobody").build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription()).contains("\"nobody\"");
            });
    assertThatNobodyJoined();
  }

  private void assertRefused(JoinRequest.Builder join, Status.Code code, String... mentions) {
    assertThatThrownBy(() -> membership().join(join.build()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              assertThat(e.getStatus().getDescription()).contains(mentions);
            });
  }

  private void assertThatNobodyJoined() {
    assertThat(membership().getMembers(GetMembersRequest.getDefaultInstance()).getMembersList())
        .extracting(m -> m.getNodeId())
        .containsExactly(self());
  }
}
