package io.blixard.rpc;

import io.blixard.transport.Transport;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Context;
import io.grpc.ForwardingClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.binder.grpc.GrpcClientObservationContext;
import io.micrometer.core.instrument.binder.grpc.GrpcClientObservationConvention;
import io.micrometer.core.instrument.binder.grpc.ObservationGrpcClientInterceptor;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationRegistry;
import java.util.Objects;

/**
 * What every outgoing call is observed by, on both transports: Micrometer's gRPC client observation
 * ({@link ObservationGrpcClientInterceptor}) named {@value #NAME}, one per attempt, tagged with the
 * transport the attempt used. With a tracer in the registry each attempt is a client span, and its
 * context goes out in the call's metadata ({@code traceparent}, {@code tracestate}): gRPC headers,
 * or the QUIC call header's metadata, which the server reads back into the same gRPC {@link
 * Metadata}. Clients that make an attempt on another thread than the caller's (a retry after its
 * backoff, a fallback started from the failed attempt's callback) keep the caller's observation
 * with {@link #keepingCaller}, so that every attempt belongs to the caller's trace.
 */
public final class RpcClientObservations {

  /** The client observation; its meters are left out ({@link MetricsOff}), spans only. */
  public static final String NAME = "blixard.rpc.client";

  /** The observation current where the call was made, for attempts made on other threads. */
  private static final Context.Key<Observation> CALLER = Context.key("blixard.rpc.caller");

  private RpcClientObservations() {}

  /** Observes each call made through it as an attempt over {@code transport}. */
  public static ClientInterceptor interceptor(ObservationRegistry registry, Transport transport) {
    Objects.requireNonNull(registry, "registry");
    ObservationGrpcClientInterceptor observing = new ObservationGrpcClientInterceptor(registry);
    observing.setCustomConvention(new Convention(transport));
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        Observation caller = CALLER.get();
        if (caller == null || caller == registry.getCurrentObservation()) {
          return observing.interceptCall(method, callOptions, next);
        }
        // The attempt is made away from the caller's thread: it starts as the caller's child.
        ClientCall<ReqT, RespT> call =
            caller.scoped(() -> observing.interceptCall(method, callOptions, next));
        return new ForwardingClientCall.SimpleForwardingClientCall<>(call) {
          @Override
          public void start(Listener<RespT> listener, Metadata headers) {
            caller.scoped(() -> super.start(listener, headers));
          }
        };
      }
    };
  }

  /**
   * Keeps the observation current where a call is made in the call's gRPC {@link Context}, which
   * the client's attempts run in wherever they are made. Outermost, before any layer that may make
   * an attempt later.
   */
  public static ClientInterceptor keepingCaller(ObservationRegistry registry) {
    Objects.requireNonNull(registry, "registry");
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
        Observation current = registry.getCurrentObservation();
        if (current == null) {
          return next.newCall(method, callOptions);
        }
        Context withCaller = Context.current().withValue(CALLER, current);
        Context previous = withCaller.attach();
        try {
          return next.newCall(method, callOptions);
        } finally {
          withCaller.detach(previous);
        }
      }
    };
  }

  /**
   * The convention: {@value #NAME}, named after the full method like a gRPC span, tagged {@code
   * rpc.service}, {@code rpc.method}, {@code blixard.transport} ({@code grpc} or {@code quic}),
   * {@code grpc.status_code} and the peer's host and port.
   */
  public static final class Convention implements GrpcClientObservationConvention {

    private final KeyValue transport;

    public Convention(Transport transport) {
      this.transport = KeyValue.of(RpcSpanTags.TRANSPORT, Objects.requireNonNull(transport).tag());
    }

    @Override
    public String getName() {
      return NAME;
    }

    @Override
    public String getContextualName(GrpcClientObservationContext context) {
      return context.getFullMethodName();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(GrpcClientObservationContext context) {
      return KeyValues.of(
          transport,
          KeyValue.of(
              RpcSpanTags.SERVICE, Objects.requireNonNullElse(context.getServiceName(), "unknown")),
          KeyValue.of(
              RpcSpanTags.METHOD, Objects.requireNonNullElse(context.getMethodName(), "unknown")),
          KeyValue.of(
              RpcSpanTags.STATUS,
              context.getStatusCode() == null ? "UNKNOWN" : context.getStatusCode().name()));
    }

    @Override
    public KeyValues getHighCardinalityKeyValues(GrpcClientObservationContext context) {
      KeyValues peer = KeyValues.empty();
      if (context.getPeerName() != null) {
        peer = peer.and("net.peer.name", context.getPeerName());
      }
      if (context.getPeerPort() != null && context.getPeerPort() > 0) {
        peer = peer.and("net.peer.port", String.valueOf(context.getPeerPort()));
      }
      return peer;
    }
  }

  /**
   * Leaves out the meters Micrometer's handler would derive from {@value #NAME}: this observation
   * is for traces; the client's attempts are timed by the client itself ({@code
   * blixard.client.attempts}).
   */
  public static final class MetricsOff implements MeterFilter {

    @Override
    public MeterFilterReply accept(Meter.Id id) {
      return id.getName().equals(NAME) || id.getName().startsWith(NAME + ".")
          ? MeterFilterReply.DENY
          : MeterFilterReply.NEUTRAL;
    }
  }
}
