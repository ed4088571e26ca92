package io.blixard.api;

import io.blixard.cluster.MembershipService;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.GetMembersRequest;
import io.blixard.proto.cluster.v1.GetMembersResponse;
import io.blixard.proto.cluster.v1.JoinRequest;
import io.blixard.proto.cluster.v1.JoinResponse;
import io.blixard.proto.cluster.v1.LeaveRequest;
import io.blixard.proto.cluster.v1.LeaveResponse;
import io.blixard.proto.cluster.v1.MembershipServiceGrpc;
import io.blixard.rpc.Caller;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import org.springframework.grpc.server.service.GrpcService;

/** Serves {@link MembershipService} as {@code blixard.cluster.v1.MembershipService}. */
@GrpcService
public class GrpcMembershipService extends MembershipServiceGrpc.MembershipServiceImplBase {

  private final MembershipService membership;

  public GrpcMembershipService(MembershipService membership) {
    this.membership = membership;
  }

  @Override
  public void getMembers(GetMembersRequest request, StreamObserver<GetMembersResponse> observer) {
    GrpcErrors.unary(
        observer,
        () ->
            MembershipProtos.toProto(membership.members(Caller.current(), request.getJoinToken())));
  }

  @Override
  public void join(JoinRequest request, StreamObserver<JoinResponse> observer) {
    GrpcErrors.unary(
        observer,
        () ->
            MembershipProtos.toJoinResponse(
                membership.join(MembershipProtos.fromProto(request, Caller.current()))));
  }

  @Override
  public void leave(LeaveRequest request, StreamObserver<LeaveResponse> observer) {
    GrpcErrors.unary(
        observer,
        () -> {
          Optional<NodeId> id =
              request.getNodeId().isEmpty()
                  ? Optional.empty()
                  : Optional.of(NodeId.parse(request.getNodeId()));
          var result =
              membership.leave(id, Caller.current(), request.getSignedRemove().toByteArray());
          return LeaveResponse.newBuilder()
              .setNodeId(result.nodeId().value())
              .setWasMember(result.wasMember())
              .setLeaderId(result.leaderId().map(NodeId::value).orElse(""))
              .build();
        });
  }
}
