package io.blixard.rpc;

import io.blixard.node.NodeId;
import io.grpc.Context;
import java.util.Optional;

/**
 * The identity of the caller of the current RPC: the node id its client certificate hashes to, set
 * by the authorization interceptor for the handler's {@link Context} on either transport. Adapters
 * read it and hand it to the domain services, which never see gRPC.
 */
public final class Caller {

  static final Context.Key<NodeId> KEY = Context.key("blixard.caller");

  private Caller() {}

  /**
   * The caller of the call being handled; empty without a client certificate (or outside a call).
   */
  public static Optional<NodeId> current() {
    return Optional.ofNullable(KEY.get());
  }

  /** {@code context} with {@code caller} as the caller. */
  public static Context with(Context context, NodeId caller) {
    return context.withValue(KEY, caller);
  }
}
