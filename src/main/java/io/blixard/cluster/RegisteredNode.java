package io.blixard.cluster;

import io.blixard.node.NodeId;
import java.time.Instant;

/**
 * A node in the replicated registry: its id, the address of each listener ({@code host:port}, empty
 * when it does not serve that listener), when it joined, and the highest command-set version of
 * registry commands it applies (0: a build from before command-set versions, which applies version
 * 1).
 */
public record RegisteredNode(
    NodeId nodeId,
    String raftAddress,
    String grpcAddress,
    String quicAddress,
    String httpAddress,
    Instant joinedAt,
    Instant updatedAt,
    int commandVersion) {

  /** A record that does not say which command-set version its node applies. */
  public RegisteredNode(
      NodeId nodeId,
      String raftAddress,
      String grpcAddress,
      String quicAddress,
      String httpAddress,
      Instant joinedAt,
      Instant updatedAt) {
    this(nodeId, raftAddress, grpcAddress, quicAddress, httpAddress, joinedAt, updatedAt, 0);
  }

  /** Whether both records name the same addresses (times aside). */
  public boolean sameAddresses(RegisteredNode other) {
    return nodeId.equals(other.nodeId)
        && raftAddress.equals(other.raftAddress)
        && grpcAddress.equals(other.grpcAddress)
        && quicAddress.equals(other.quicAddress)
        && httpAddress.equals(other.httpAddress);
  }
}
