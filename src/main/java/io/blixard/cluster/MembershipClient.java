package io.blixard.cluster;

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
  GroupMembers members(MemberAddress address, Duration timeout);

  /**
   * Asks the member at {@code address} to add this node.
   *
   * @throws JoinException naming why the call failed and whether retrying makes sense
   */
  GroupMembers join(MemberAddress address, JoinApplication application, Duration timeout);
}
