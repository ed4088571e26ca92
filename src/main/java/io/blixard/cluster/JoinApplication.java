package io.blixard.cluster;

import io.blixard.node.NodeId;
import java.util.Objects;

/**
 * A node's request to join the group: its id, the public key the id is the hash of, and the
 * addresses of its listeners ({@code host:port}, empty when not bound yet).
 */
public record JoinApplication(
    NodeId nodeId,
    byte[] publicKey,
    String raftAddress,
    String grpcAddress,
    String quicAddress,
    String httpAddress) {

  public JoinApplication {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(publicKey, "publicKey");
    Objects.requireNonNull(raftAddress, "raftAddress");
    grpcAddress = grpcAddress == null ? "" : grpcAddress;
    quicAddress = quicAddress == null ? "" : quicAddress;
    httpAddress = httpAddress == null ? "" : httpAddress;
  }
}
