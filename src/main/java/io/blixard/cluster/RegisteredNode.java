package io.blixard.cluster;

import io.blixard.node.NodeId;
import java.time.Instant;

/**
 * A node in the replicated registry: its id, the address of each listener ({@code host:port}, empty
 * when it does not serve that listener) and when it joined.
 */
public record RegisteredNode(
    NodeId nodeId,
    String raftAddress,
    String grpcAddress,
    String quicAddress,
    String httpAddress,
    Instant joinedAt,
    Instant updatedAt) {

  /** Whether both records name the same addresses (times aside). */
  public boolean sameAddresses(RegisteredNode other) {
    return nodeId.equals(other.nodeId)
        && raftAddress.equals(other.raftAddress)
        && grpcAddress.equals(other.grpcAddress)
        && quicAddress.equals(other.quicAddress)
        && httpAddress.equals(other.httpAddress);
  }
}
