package io.blixard.transport.quic.raft;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;

/**
 * Raft over Blixard RPC on QUIC as a Ratis RPC type. Ratis finds it by this class's name in {@code
 * raft.rpc.type} (a name that is not one of Ratis's own types is loaded as a class with a
 * no-argument constructor), and builds its factory from the parameters the node hands Ratis.
 */
public final class QuicRpcType implements RpcType {

  /** The one instance the factory and its RPCs report as their type. */
  static final QuicRpcType INSTANCE = new QuicRpcType();

  /** For Ratis, which instantiates the type from its class name. */
  public QuicRpcType() {}

  /** The class name: what {@code raft.rpc.type} holds, and what Ratis resolves again. */
  @Override
  public String name() {
    return QuicRpcType.class.getName();
  }

  @Override
  public RpcFactory newFactory(Parameters parameters) {
    return new QuicRaftFactory(parameters);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof QuicRpcType;
  }

  @Override
  public int hashCode() {
    return QuicRpcType.class.hashCode();
  }

  @Override
  public String toString() {
    return "QUIC";
  }
}
