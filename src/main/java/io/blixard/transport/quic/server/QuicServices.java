package io.blixard.transport.quic.server;

import io.blixard.rpc.ServiceCatalogue;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;

/**
 * The methods the QUIC server serves: every method of every service in the catalogue, each wrapped
 * in the same interceptor chain as on gRPC ({@code rpc.ServerInterceptorChain}, the first
 * interceptor seeing a call first). Looked up by full method name.
 */
final class QuicServices {

  private final Map<String, ServerMethodDefinition<?, ?>> methods = new HashMap<>();
  private final Executor handlerExecutor;
  private final Executor raftHandlerExecutor;

  /**
   * @param raftHandlerExecutor where members' Raft calls run, apart from every other call
   */
  QuicServices(
      ServiceCatalogue catalogue,
      List<ServerInterceptor> interceptors,
      Executor handlerExecutor,
      Executor raftHandlerExecutor) {
    this.handlerExecutor = handlerExecutor;
    this.raftHandlerExecutor = raftHandlerExecutor;
    for (ServerServiceDefinition definition : catalogue.definitions()) {
      ServerServiceDefinition intercepted =
          ServerInterceptors.interceptForward(definition, interceptors);
      for (ServerMethodDefinition<?, ?> method : intercepted.getMethods()) {
        methods.put(method.getMethodDescriptor().getFullMethodName(), method);
      }
    }
  }

  /** The method, or null when the node does not serve it. */
  ServerMethodDefinition<?, ?> method(String fullMethodName) {
    return methods.get(fullMethodName);
  }

  /** Where a call's handler runs: Raft's own threads for a call in Raft's share. */
  Executor handlerExecutor(boolean raftCall) {
    return raftCall ? raftHandlerExecutor : handlerExecutor;
  }
}
