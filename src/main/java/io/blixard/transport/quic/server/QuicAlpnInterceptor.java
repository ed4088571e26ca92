package io.blixard.transport.quic.server;

import io.blixard.rpc.ServiceNames;
import io.blixard.transport.quic.QuicAlpn;
import io.blixard.transport.quic.QuicAttributes;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;

/**
 * Refuses, with PERMISSION_DENIED, a call to a service other than the one its connection's ALPN
 * names (docs/protocol.md §1: {@code blixard/SERVICE/1}); calls on {@code blixard/rpc/1} pass.
 * QUIC's only: gRPC has no such ALPN. Reads the ALPN from {@link QuicAttributes#ALPN}.
 */
final class QuicAlpnInterceptor implements ServerInterceptor {

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String alpn = call.getAttributes().get(QuicAttributes.ALPN);
    Optional<String> restrictedTo = QuicAlpn.restrictedService(alpn);
    String service = ServiceNames.label(call.getMethodDescriptor().getServiceName());
    if (restrictedTo.isEmpty() || restrictedTo.get().equals(service)) {
      return next.startCall(call, headers);
    }
    call.close(
        Status.PERMISSION_DENIED.withDescription(
            "this connection was opened for service "
                + restrictedTo.get()
                + " (ALPN "
                + alpn
                + "); "
                + call.getMethodDescriptor().getFullMethodName()
                + " belongs to "
                + service
                + " (expected: a connection with ALPN "
                + QuicAlpn.RPC
                + " or blixard/"
                + service
                + "/1)"),
        new Metadata());
    return new ServerCall.Listener<>() {};
  }
}
