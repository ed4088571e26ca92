package io.blixard.rpc;

import io.blixard.transport.Transport;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.ForwardingServerCallListener.SimpleForwardingServerCallListener;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Times every call a server handles: {@code blixard.rpc.server} tagged with transport, service,
 * method and status code. The same interceptor measures both transports.
 */
public final class RpcServerMetricsInterceptor implements ServerInterceptor {

  public static final String METRIC = "blixard.rpc.server";

  /** Per service (short name) and transport, across methods and outcomes. */
  public static final String SERVICE_METRIC = "blixard.transport.calls";

  private final MeterRegistry registry;
  private final Transport transport;

  public RpcServerMetricsInterceptor(MeterRegistry registry, Transport transport) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.transport = Objects.requireNonNull(transport, "transport");
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    MethodDescriptor<ReqT, RespT> method = call.getMethodDescriptor();
    Timer.Sample sample = Timer.start(registry);
    AtomicBoolean recorded = new AtomicBoolean();
    java.util.function.Consumer<Status.Code> stop =
        code -> {
          if (recorded.compareAndSet(false, true)) {
            long nanos = sample.stop(timer(method, code));
            serviceTimer(method).record(nanos, TimeUnit.NANOSECONDS);
          }
        };
    ServerCall<ReqT, RespT> timed =
        new SimpleForwardingServerCall<>(call) {
          @Override
          public void close(Status status, Metadata trailers) {
            stop.accept(status.getCode());
            super.close(status, trailers);
          }
        };
    ServerCall.Listener<ReqT> delegate;
    try {
      delegate = next.startCall(timed, headers);
    } catch (RuntimeException | Error e) {
      stop.accept(Status.Code.UNKNOWN);
      throw e;
    }
    return new SimpleForwardingServerCallListener<>(delegate) {
      @Override
      public void onMessage(ReqT message) {
        guard(() -> super.onMessage(message));
      }

      @Override
      public void onHalfClose() {
        guard(super::onHalfClose);
      }

      @Override
      public void onReady() {
        guard(super::onReady);
      }

      @Override
      public void onCancel() {
        // A call the client cancelled (or whose deadline passed) is never closed by the server.
        stop.accept(Status.Code.CANCELLED);
        super.onCancel();
      }

      @Override
      public void onComplete() {
        // Closed without close() being seen: the transport ended the call (e.g. a handler threw).
        stop.accept(Status.Code.UNKNOWN);
        super.onComplete();
      }

      /** A handler that throws ends the call with UNKNOWN, closed by gRPC and not by us. */
      private void guard(Runnable step) {
        try {
          step.run();
        } catch (RuntimeException | Error e) {
          stop.accept(Status.Code.UNKNOWN);
          throw e;
        }
      }
    };
  }

  /**
   * All calls of a service over this transport, with p50 and p99 over the last minutes: what
   * operators watch while a service moves between transports.
   */
  private Timer serviceTimer(MethodDescriptor<?, ?> method) {
    return Timer.builder(SERVICE_METRIC)
        .description("Calls handled per service and transport, with recent p50 and p99")
        .tag("transport", transport.tag())
        .tag("service", ServiceNames.label(method.getServiceName()))
        .publishPercentiles(0.5, 0.99)
        .register(registry);
  }

  private Timer timer(MethodDescriptor<?, ?> method, Status.Code code) {
    return Timer.builder(METRIC)
        .description("Calls handled by this node's servers")
        .tag("transport", transport.tag())
        .tag("service", Objects.requireNonNullElse(method.getServiceName(), "unknown"))
        .tag("method", Objects.requireNonNullElse(method.getBareMethodName(), "unknown"))
        .tag("status", code.name())
        .register(registry);
  }
}
