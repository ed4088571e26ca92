package io.blixard.client;

import io.blixard.rpc.RpcLatencyBuckets;
import io.blixard.rpc.ServiceNames;
import io.blixard.transport.Transport;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ForwardingClientCall;
import io.grpc.ForwardingClientCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Times every attempt made over one transport ({@code blixard.client.attempts}, tagged with
 * transport, service, method and status) and feeds the latency of successful ones to the {@link
 * LatencyTracker} that adaptive selection reads.
 */
final class ClientMetricsInterceptor implements ClientInterceptor {

  private final Transport transport;
  private final MeterRegistry meters;
  private final LatencyTracker latency;

  ClientMetricsInterceptor(Transport transport, MeterRegistry meters, LatencyTracker latency) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.meters = Objects.requireNonNull(meters, "meters");
    this.latency = Objects.requireNonNull(latency, "latency");
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    return new ForwardingClientCall.SimpleForwardingClientCall<>(
        next.newCall(method, callOptions)) {
      @Override
      public void start(Listener<RespT> listener, Metadata headers) {
        long startNanos = System.nanoTime();
        super.start(
            new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
              @Override
              public void onClose(Status status, Metadata trailers) {
                record(method, status, System.nanoTime() - startNanos);
                super.onClose(status, trailers);
              }
            },
            headers);
      }
    };
  }

  private void record(MethodDescriptor<?, ?> method, Status status, long nanos) {
    Timer.builder("blixard.client.attempts")
        .description("Call attempts made by this client, per transport")
        .tag("transport", transport.tag())
        .tag("service", String.valueOf(method.getServiceName()))
        .tag("method", String.valueOf(method.getBareMethodName()))
        .tag("status", status.getCode().name())
        .serviceLevelObjectives(RpcLatencyBuckets.BOUNDS)
        .register(meters)
        .record(nanos, TimeUnit.NANOSECONDS);
    if (status.isOk()) {
      latency.record(ServiceNames.label(method.getServiceName()), transport, nanos);
    }
  }
}
