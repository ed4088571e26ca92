package io.blixard.transport.quic.client;

import io.blixard.node.NodeAddress;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.MethodDescriptor;

/**
 * An {@link io.grpc.Channel} whose calls travel as Blixard RPC over QUIC to one node, so the
 * generated stubs (blocking, future, async) work on it unchanged. Calls share the pool's connection
 * to the node.
 */
public final class QuicRpcChannel extends Channel {

  private final QuicConnectionPool pool;
  private final NodeAddress target;

  QuicRpcChannel(QuicConnectionPool pool, NodeAddress target) {
    this.pool = pool;
    this.target = target;
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
    return new QuicClientCall<>(pool, target, method, callOptions);
  }

  @Override
  public String authority() {
    return target.hostAndPort();
  }

  /** Where the calls go. */
  public NodeAddress target() {
    return target;
  }

  /** The node id the server's certificate named, once connected. */
  public java.util.Optional<io.blixard.node.NodeId> connectedNode() {
    return pool.connectedNode(target);
  }
}
