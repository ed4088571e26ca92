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

  QuicServices(
      ServiceCatalogue catalogue, List<ServerInterceptor> interceptors, Executor handlerExecutor) {
    this.handlerExecutor = handlerExecutor;
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

  Executor handlerExecutor() {
    return handlerExecutor;
  }
}
