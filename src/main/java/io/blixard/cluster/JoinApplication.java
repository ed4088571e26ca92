package io.blixard.cluster;

import io.blixard.node.NodeId;
import java.util.Objects;
import java.util.Optional;

/**
 * A node's request to join the group: its id, the public key the id is the hash of, the addresses
 * of its listeners ({@code host:port}, empty when not bound yet), its own signed join command (a
 * serialized {@code blixard.cluster.v1.SignedCommand}: its proof of admission; empty when it has
 * none), and who called, as the transport authenticated it (empty when the transport names no
 * caller).
 */
public record JoinApplication(
    NodeId nodeId,
    byte[] publicKey,
    String raftAddress,
    String grpcAddress,
    String quicAddress,
    String httpAddress,
    byte[] signedJoin,
    Optional<NodeId> caller) {

  public JoinApplication {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(publicKey, "publicKey");
    Objects.requireNonNull(raftAddress, "raftAddress");
    grpcAddress = grpcAddress == null ? "" : grpcAddress;
    quicAddress = quicAddress == null ? "" : quicAddress;
    httpAddress = httpAddress == null ? "" : httpAddress;
    signedJoin = signedJoin == null ? new byte[0] : signedJoin;
    caller = caller == null ? Optional.empty() : caller;
  }

  /** An application without a signed join command or a known caller. */
  public JoinApplication(
      NodeId nodeId,
      byte[] publicKey,
      String raftAddress,
      String grpcAddress,
      String quicAddress,
      String httpAddress) {
    this(nodeId, publicKey, raftAddress, grpcAddress, quicAddress, httpAddress, null, null);
  }

  /** The same application with its signed join command. */
  public JoinApplication withSignedJoin(byte[] signed) {
    return new JoinApplication(
        nodeId, publicKey, raftAddress, grpcAddress, quicAddress, httpAddress, signed, caller);
  }

  /** The same application as {@code caller} sent it. */
  public JoinApplication calledBy(Optional<NodeId> by) {
    return new JoinApplication(
        nodeId, publicKey, raftAddress, grpcAddress, quicAddress, httpAddress, signedJoin, by);
  }
}
