package io.blixard.transport.quic.raft;

import org.apache.ratis.conf.Parameters;
import org.apache.ratis.rpc.RpcFactory;
import org.apache.ratis.rpc.RpcType;

/**
 * Raft on both transports, chosen per peer at run time, as a Ratis RPC type: Ratis loads it by this
 * class's name from {@code raft.rpc.type}, as {@link QuicRpcType}.
 */
public final class RaftRouterRpcType implements RpcType {

  /** The one instance the factory and its RPCs report as their type. */
  static final RaftRouterRpcType INSTANCE = new RaftRouterRpcType();

  /** For Ratis, which instantiates the type from its class name. */
  public RaftRouterRpcType() {}

  @Override
  public String name() {
    return RaftRouterRpcType.class.getName();
  }

  @Override
  public RpcFactory newFactory(Parameters parameters) {
    return new RaftRouterFactory(parameters);
  }

  @Override
  public boolean equals(Object other) {
    return other instanceof RaftRouterRpcType;
  }

  @Override
  public int hashCode() {
    return RaftRouterRpcType.class.hashCode();
  }

  @Override
  public String toString() {
    return "GRPC+QUIC";
  }
}
