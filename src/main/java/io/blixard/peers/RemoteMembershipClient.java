package io.blixard.peers;

import io.blixard.api.MembershipProtos;
import io.blixard.cluster.GroupMembers;
import io.blixard.cluster.JoinApplication;
import io.blixard.cluster.JoinException;
import io.blixard.cluster.MembershipClient;
import io.blixard.node.NodeAddress;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.GetMembersRequest;
import io.blixard.proto.cluster.v1.MembershipServiceGrpc;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Optional;
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
  public GroupMembers members(
      NodeAddress address, String joinToken, Duration timeout, Optional<NodeId> expected) {
    try {
      return MembershipProtos.fromProto(
          stub(address, timeout, expected)
              .getMembers(
                  GetMembersRequest.newBuilder()
                      .setJoinToken(joinToken == null ? "" : joinToken)
                      .build()));
    } catch (StatusRuntimeException e) {
      throw failure(address, expected, "ask for the group", e);
    }
  }

  @Override
  public GroupMembers join(
      NodeAddress address,
      JoinApplication application,
      Duration timeout,
      Optional<NodeId> expected) {
    try {
      return MembershipProtos.fromProto(
          stub(address, timeout, expected).join(MembershipProtos.toProto(application)));
    } catch (StatusRuntimeException e) {
      throw failure(address, expected, "join", e);
    }
  }

  private MembershipServiceGrpc.MembershipServiceBlockingStub stub(
      NodeAddress address, Duration timeout, Optional<NodeId> expected) {
    try {
      Channel channel =
          expected.isPresent() && !address.pinned()
              ? channels.grpcChannel(address.pinnedTo(expected.get()))
              : channels.channel(address);
      return MembershipServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (IllegalArgumentException e) {
      throw new JoinException(JoinException.Reason.REFUSED, e.getMessage(), e);
    }
  }

  /** Why a call to a member failed, and whether retrying makes sense. */
  static JoinException failure(NodeAddress address, String what, StatusRuntimeException e) {
    return failure(address, Optional.empty(), what, e);
  }

  static JoinException failure(
      NodeAddress address, Optional<NodeId> expected, String what, StatusRuntimeException e) {
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
    Optional<String> wrongPeer = certificateRejection(e);
    if (wrongPeer.isPresent()) {
      message =
          "member "
              + address
              + " failed the TLS handshake: "
              + wrongPeer.get()
              + (expected.isPresent() && !address.pinned()
                  ? "; at a host:port address a joiner trusts only the join token's issuer"
                      + " (expected: the issuer's address among blixard.cluster.join)"
                  : "");
    } else if (reason == JoinException.Reason.UNREACHABLE) {
      message = "member " + address + " is not reachable (" + status.getCode() + description + ")";
    }
    return new JoinException(reason, message, e);
  }

  /** The trust manager's one-line reason, when a handshake failed on the peer's certificate. */
  private static Optional<String> certificateRejection(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof java.security.cert.CertificateException && t.getMessage() != null) {
        return Optional.of(t.getMessage());
      }
    }
    return Optional.empty();
  }
}
