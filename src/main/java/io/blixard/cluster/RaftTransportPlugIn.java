package io.blixard.cluster;

import java.util.Map;

/**
 * A transport that carries this node's Raft traffic in place of, or beside, Ratis's own gRPC
 * transport: the Ratis RPC type that Ratis loads by class name, the objects its factory receives,
 * and the listener Raft arrives on. The QUIC transport provides one when {@code
 * blixard.transport.strategy.raft-transport} is {@code always-quic} at start, and the Raft router
 * (which {@linkplain #keepsRaftPort() keeps the Raft port}) when {@code
 * blixard.transport.quic.raft-router.enabled}; without one, Raft runs on Ratis's gRPC transport and
 * its own port, as before.
 */
public interface RaftTransportPlugIn {

  /**
   * The key under which the Raft engine adds its peer trust to the factory's parameters: a {@code
   * java.util.function.Predicate<io.blixard.node.NodeId>} accepting the members (and the nodes
   * being added); absent in insecure mode, where any caller is accepted, as on the plaintext Raft
   * port.
   */
  String PEER_TRUST = "blixard.raft.peer-trust";

  /** The transport's name, as {@code blixard.transport.strategy.raft-transport} and logs say it. */
  String name();

  /**
   * The fully qualified name of the Ratis {@code RpcType} class (with a no-argument constructor).
   */
  String rpcTypeClassName();

  /** Objects the RPC type's factory reads from Ratis's {@code Parameters}, by key. */
  Map<String, Object> parameters();

  /**
   * Ratis properties the transport needs (e.g. buffer and snapshot chunk sizes below its frame
   * limit), by Ratis key.
   */
  Map<String, String> raftProperties();

  /**
   * Opens the listener Raft arrives on, if it is not open yet, and returns its port: the port of
   * this node's Raft address ({@code advertised-host:port}), unless {@link #keepsRaftPort()}.
   */
  int listen();

  /**
   * Whether Raft arrives on Ratis's gRPC Raft port as well as on the plug-in's listener: the Raft
   * port is then the node's Raft address, and {@link #listen()} only opens the plug-in's listener.
   */
  default boolean keepsRaftPort() {
    return false;
  }

  /**
   * Whether the plug-in reaches a member at its QUIC address in the registry rather than at its
   * Raft address in the group: then a member whose group address is the Raft port it had under gRPC
   * is still reached, and so is this node when the group knows it by its old Raft port.
   */
  default boolean reachesMembersByRegisteredAddress() {
    return false;
  }
}
