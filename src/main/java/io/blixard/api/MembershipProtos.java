package io.blixard.api;

import com.google.protobuf.ByteString;
import io.blixard.cluster.GroupMembers;
import io.blixard.cluster.JoinApplication;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.GetMembersResponse;
import io.blixard.proto.cluster.v1.JoinRequest;
import io.blixard.proto.cluster.v1.JoinResponse;
import io.blixard.proto.cluster.v1.Member;
import java.util.List;
import java.util.Optional;

/** Conversions between the membership domain types and {@code blixard.cluster.v1} messages. */
public final class MembershipProtos {

  private MembershipProtos() {}

  public static GetMembersResponse toProto(GroupMembers group) {
    return GetMembersResponse.newBuilder()
        .setGroupId(group.groupId())
        .setLeaderId(group.leaderId().map(NodeId::value).orElse(""))
        .setTerm(group.term())
        .addAllMembers(members(group.members()))
        .setReportedBy(group.reportedBy().value())
        .build();
  }

  public static JoinResponse toJoinResponse(GroupMembers group) {
    return JoinResponse.newBuilder()
        .setGroupId(group.groupId())
        .setLeaderId(group.leaderId().map(NodeId::value).orElse(""))
        .setTerm(group.term())
        .addAllMembers(members(group.members()))
        .setReportedBy(group.reportedBy().value())
        .build();
  }

  public static GroupMembers fromProto(GetMembersResponse response) {
    return new GroupMembers(
        response.getGroupId(),
        nodeId(response.getLeaderId()),
        response.getTerm(),
        fromProto(response.getMembersList()),
        NodeId.parse(response.getReportedBy()));
  }

  public static GroupMembers fromProto(JoinResponse response) {
    return new GroupMembers(
        response.getGroupId(),
        nodeId(response.getLeaderId()),
        response.getTerm(),
        fromProto(response.getMembersList()),
        NodeId.parse(response.getReportedBy()));
  }

  public static JoinRequest toProto(JoinApplication application) {
    return JoinRequest.newBuilder()
        .setNodeId(application.nodeId().value())
        .setPublicKey(ByteString.copyFrom(application.publicKey()))
        .setRaftAddress(application.raftAddress())
        .setGrpcAddress(application.grpcAddress())
        .setQuicAddress(application.quicAddress())
        .setHttpAddress(application.httpAddress())
        .setSignedJoin(ByteString.copyFrom(application.signedJoin()))
        .build();
  }

  /**
   * @throws IllegalArgumentException when the node id does not parse
   */
  public static JoinApplication fromProto(JoinRequest request, Optional<NodeId> caller) {
    return new JoinApplication(
        NodeId.parse(request.getNodeId()),
        request.getPublicKey().toByteArray(),
        request.getRaftAddress(),
        request.getGrpcAddress(),
        request.getQuicAddress(),
        request.getHttpAddress(),
        request.getSignedJoin().toByteArray(),
        caller);
  }

  private static List<Member> members(List<GroupMembers.Member> members) {
    return members.stream()
        .map(
            m ->
                Member.newBuilder()
                    .setNodeId(m.nodeId().value())
                    .setRaftAddress(m.raftAddress())
                    .setVoter(m.voter())
                    .build())
        .toList();
  }

  private static List<GroupMembers.Member> fromProto(List<Member> members) {
    return members.stream()
        .map(
            m ->
                new GroupMembers.Member(
                    NodeId.parse(m.getNodeId()), m.getRaftAddress(), m.getVoter()))
        .toList();
  }

  private static Optional<NodeId> nodeId(String text) {
    return text.isEmpty() ? Optional.empty() : Optional.of(NodeId.parse(text));
  }
}
