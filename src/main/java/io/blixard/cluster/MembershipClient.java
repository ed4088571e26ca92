package io.blixard.cluster;

import io.blixard.node.NodeAddress;
import io.blixard.node.NodeId;
import java.time.Duration;
import java.util.Optional;

/**
 * How a node calls {@link MembershipService} on another member; the transport layer implements it.
 */
public interface MembershipClient {

  /**
   * The group as the member at {@code address} sees it, asked with the join token this node will
   * join with (a node that is not admitted yet learns the group only with one).
   *
   * @param expected the node a {@code host:grpcPort} member must prove to be in the TLS handshake:
   *     the issuer a join token names, which the joiner pins as kubeadm's joiners pin the CA hash;
   *     empty to take whichever node answers
   * @throws JoinException naming why the call failed and whether retrying makes sense
   */
  GroupMembers members(
      NodeAddress address, String joinToken, Duration timeout, Optional<NodeId> expected);

  /**
   * Asks the member at {@code address} to add this node.
   *
   * @param expected as for {@link #members(NodeAddress, String, Duration, Optional)}
   * @throws JoinException naming why the call failed and whether retrying makes sense
   */
  GroupMembers join(
      NodeAddress address,
      JoinApplication application,
      Duration timeout,
      Optional<NodeId> expected);

  /** The group as the member at {@code address} sees it. */
  default GroupMembers members(NodeAddress address, Duration timeout) {
    return members(address, "", timeout, Optional.empty());
  }

  /** The group as the member at {@code address} sees it, asked with a join token. */
  default GroupMembers members(NodeAddress address, String joinToken, Duration timeout) {
    return members(address, joinToken, timeout, Optional.empty());
  }

  /** Asks the member at {@code address} to add this node. */
  default GroupMembers join(NodeAddress address, JoinApplication application, Duration timeout) {
    return join(address, application, timeout, Optional.empty());
  }
}
