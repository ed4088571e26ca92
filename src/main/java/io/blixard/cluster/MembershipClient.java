package io.blixard.cluster;

import io.blixard.node.NodeAddress;
import java.time.Duration;

/**
 * How a node calls {@link MembershipService} on another member; the transport layer implements it.
 */
public interface MembershipClient {

  /**
   * The group as the member at {@code address} sees it.
   *
   * @throws JoinException naming why the call failed and whether retrying makes sense
   */
  GroupMembers members(NodeAddress address, Duration timeout);

  /**
   * The group as the member at {@code address} sees it, asked with the join token this node will
   * join with (a node that is not admitted yet learns the group only with one).
   *
   * @throws JoinException naming why the call failed and whether retrying makes sense
   */
  default GroupMembers members(NodeAddress address, String joinToken, Duration timeout) {
    return members(address, timeout);
  }

  /**
   * Asks the member at {@code address} to add this node.
   *
   * @throws JoinException naming why the call failed and whether retrying makes sense
   */
  GroupMembers join(NodeAddress address, JoinApplication application, Duration timeout);
}
