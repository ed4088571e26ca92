package io.blixard.client;

import io.blixard.transport.Transport;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The circuit breaker of one transport to one peer, as a client interceptor: while the circuit is
 * open a call is refused before it is sent, with UNAVAILABLE whose cause is Resilience4j's {@link
 * CallNotPermittedException} (so a fallback can tell it never left); otherwise the call's outcome
 * is recorded: failures of the transport or peer count against the circuit, answers of the service
 * for it, and a cancelled call gives its permission back.
 */
final class CircuitBreakerInterceptor implements ClientInterceptor {

  private final CircuitBreaker breaker;
  private final String peer;
  private final Transport transport;

  CircuitBreakerInterceptor(CircuitBreaker breaker, String peer, Transport transport) {
    this.breaker = Objects.requireNonNull(breaker, "breaker");
    this.peer = Objects.requireNonNull(peer, "peer");
    this.transport = Objects.requireNonNull(transport, "transport");
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    // Permission is asked for when the call starts, so a call made and dropped takes none. A
    // refused call's unstarted delegate holds nothing and is dropped.
    return new ForwardingClientCall<ReqT, RespT>() {
      private volatile ClientCall<ReqT, RespT> delegate = next.newCall(method, callOptions);

      @Override
      protected ClientCall<ReqT, RespT> delegate() {
        return delegate;
      }

      @Override
      public void start(Listener<RespT> listener, Metadata headers) {
        if (!breaker.tryAcquirePermission()) {
          delegate =
              new RefusedCall<>(
                  Status.UNAVAILABLE
                      .withDescription(
                          "circuit to peer "
                              + peer
                              + " over "
                              + transport.tag()
                              + " is open after repeated failures")
                      .withCause(
                          CallNotPermittedException.createCallNotPermittedException(breaker)),
                  callOptions);
          delegate.start(listener, headers);
          return;
        }
        long startNanos = System.nanoTime();
        delegate.start(
            new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
              @Override
              public void onClose(Status status, Metadata trailers) {
                record(status, System.nanoTime() - startNanos);
                super.onClose(status, trailers);
              }
            },
            headers);
      }
    };
  }

  private void record(Status status, long nanos) {
    if (status.getCode() == Status.Code.CANCELLED) {
      breaker.releasePermission();
    } else if (ReplaySafety.transportFailure(status)) {
      breaker.onError(nanos, TimeUnit.NANOSECONDS, status.asRuntimeException());
    } else {
      breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
    }
  }
}
