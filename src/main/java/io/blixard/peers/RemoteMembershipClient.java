package io.blixard.peers;

import io.blixard.api.MembershipProtos;
import io.blixard.cluster.GroupMembers;
import io.blixard.cluster.JoinApplication;
import io.blixard.cluster.JoinException;
import io.blixard.cluster.MembershipClient;
import io.blixard.node.NodeAddress;
import io.blixard.proto.cluster.v1.GetMembersRequest;
import io.blixard.proto.cluster.v1.MembershipServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * {@link MembershipClient} over {@link PeerChannels}: calls {@code
 * blixard.cluster.v1.MembershipService} on the member, and names why a call failed.
 */
public class RemoteMembershipClient implements MembershipClient {

  private final PeerChannels channels;

  public RemoteMembershipClient(PeerChannels channels) {
    this.channels = channels;
  }

  @Override
  public GroupMembers members(NodeAddress address, Duration timeout) {
    return members(address, "", timeout);
  }

  @Override
  public GroupMembers members(NodeAddress address, String joinToken, Duration timeout) {
    try {
      return MembershipProtos.fromProto(
          stub(address, timeout)
              .getMembers(
                  GetMembersRequest.newBuilder()
                      .setJoinToken(joinToken == null ? "" : joinToken)
                      .build()));
    } catch (StatusRuntimeException e) {
      throw failure(address, "ask for the group", e);
    }
  }

  @Override
  public GroupMembers join(NodeAddress address, JoinApplication application, Duration timeout) {
    try {
      return MembershipProtos.fromProto(
          stub(address, timeout).join(MembershipProtos.toProto(application)));
    } catch (StatusRuntimeException e) {
      throw failure(address, "join", e);
    }
  }

  private MembershipServiceGrpc.MembershipServiceBlockingStub stub(
      NodeAddress address, Duration timeout) {
    try {
      return MembershipServiceGrpc.newBlockingStub(channels.channel(address))
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (IllegalArgumentException e) {
      throw new JoinException(JoinException.Reason.REFUSED, e.getMessage(), e);
    }
  }

  /** Why a call to a member failed, and whether retrying makes sense. */
  static JoinException failure(NodeAddress address, String what, StatusRuntimeException e) {
    Status status = e.getStatus();
    String description = status.getDescription() == null ? "" : ": " + status.getDescription();
    String message =
        "member " + address + " could not " + what + " (" + status.getCode() + description + ")";
    JoinException.Reason reason =
        switch (status.getCode()) {
          case DEADLINE_EXCEEDED -> JoinException.Reason.UNREACHABLE;
          case UNAVAILABLE ->
              // A member that answered says why; a connection failure carries an I/O cause.
              status.getCause() != null
                      || status.getDescription() == null
                      || status.getDescription().equals("io exception")
                  ? JoinException.Reason.UNREACHABLE
                  : JoinException.Reason.LEADER_UNKNOWN;
          case ALREADY_EXISTS -> JoinException.Reason.CONFLICT;
          case UNIMPLEMENTED ->
              throw new JoinException(
                  JoinException.Reason.REFUSED,
                  "member "
                      + address
                      + " does not serve blixard.cluster.v1.MembershipService"
                      + " (expected: a Blixard node's gRPC address)",
                  e);
          default -> JoinException.Reason.REFUSED;
        };
    if (reason == JoinException.Reason.UNREACHABLE) {
      message = "member " + address + " is not reachable (" + status.getCode() + description + ")";
    }
    return new JoinException(reason, message, e);
  }
}
