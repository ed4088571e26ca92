package io.blixard.rpc;

import io.blixard.transport.Transport;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.ServerServiceDefinition;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The server interceptors every call passes, on either transport: assembled once from the ordered
 * {@link RpcServerInterceptor} beans and applied to the service definitions that both the gRPC
 * server and the QUIC server serve, so a call is measured and checked the same way on both.
 */
public final class ServerInterceptorChain {

  private final Map<Transport, List<ServerInterceptor>> interceptors =
      new EnumMap<>(Transport.class);

  /**
   * @param links outermost first
   */
  public ServerInterceptorChain(List<? extends RpcServerInterceptor> links) {
    Objects.requireNonNull(links, "links");
    for (Transport transport : Transport.values()) {
      interceptors.put(
          transport, links.stream().map(link -> link.forTransport(transport)).toList());
    }
  }

  /** The interceptors for calls over {@code transport}, the one that sees a call first first. */
  public List<ServerInterceptor> interceptors(Transport transport) {
    return interceptors.get(Objects.requireNonNull(transport, "transport"));
  }

  /** {@code definition} with every method wrapped in the chain for {@code transport}. */
  public ServerServiceDefinition intercept(
      ServerServiceDefinition definition, Transport transport) {
    return ServerInterceptors.interceptForward(definition, interceptors(transport));
  }
}
