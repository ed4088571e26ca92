package io.blixard.migration;

import io.blixard.transport.Transport;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.util.Optional;

/**
 * Refuses calls to a service on a transport the strategy does not serve it on, with UNAVAILABLE
 * naming where it is served, so a client can move the call.
 */
public final class ServedOnInterceptor implements ServerInterceptor {

  private final MigrationStrategyHolder strategy;
  private final Transport transport;

  public ServedOnInterceptor(MigrationStrategyHolder strategy, Transport transport) {
    this.strategy = strategy;
    this.transport = transport;
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    Optional<String> refusal =
        strategy.notServedReason(call.getMethodDescriptor().getServiceName(), transport);
    if (refusal.isPresent()) {
      call.close(Status.UNAVAILABLE.withDescription(refusal.get()), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }
}
