package io.blixard.cluster;

import io.blixard.node.NodeId;
import java.util.Optional;

/**
 * What a leave did.
 *
 * @param wasMember false when the node was in neither the group nor the registry (nothing done)
 * @param leaderId the leader after the change, when known
 */
public record LeaveResult(NodeId nodeId, boolean wasMember, Optional<NodeId> leaderId) {}
