package io.blixard.client;

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

/**
 * Tells someone (with no lock held) when an attempt over one transport failed as a transport or
 * peer fails ({@link ReplaySafety#transportFailure}); e.g. so a client asks the node for its
 * transports again.
 */
final class TransportFailureInterceptor implements ClientInterceptor {

  private final Runnable onFailure;

  TransportFailureInterceptor(Runnable onFailure) {
    this.onFailure = Objects.requireNonNull(onFailure, "onFailure");
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    return new ForwardingClientCall.SimpleForwardingClientCall<>(
        next.newCall(method, callOptions)) {
      @Override
      public void start(Listener<RespT> listener, Metadata headers) {
        super.start(
            new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
              @Override
              public void onClose(Status status, Metadata trailers) {
                if (ReplaySafety.transportFailure(status)) {
                  onFailure.run();
                }
                super.onClose(status, trailers);
              }
            },
            headers);
      }
    };
  }
}
