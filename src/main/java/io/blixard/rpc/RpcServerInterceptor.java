package io.blixard.rpc;

import io.blixard.transport.Transport;
import io.grpc.ServerInterceptor;

/**
 * One link of the server interceptor chain that both transports apply ({@link
 * ServerInterceptorChain}), made once per transport so that a link can tag or decide by it. Beans
 * of this type are ordered by {@code @Order}: the lowest order sees a call first.
 */
@FunctionalInterface
public interface RpcServerInterceptor {

  /** Metrics: outermost, so every outcome of the links inside is measured. */
  int METRICS_ORDER = 0;

  /** Authorization by the caller's identity ({@link AuthorizationInterceptor}). */
  int AUTHORIZATION_ORDER = 50;

  /** The migration's served-on check ({@code migration.ServedOnInterceptor}). */
  int SERVED_ON_ORDER = 100;

  /** The interceptor of this link for calls arriving over {@code transport}. */
  ServerInterceptor forTransport(Transport transport);
}
