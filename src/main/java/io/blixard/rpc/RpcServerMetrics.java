package io.blixard.rpc;

import io.blixard.transport.Transport;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micrometer.common.KeyValue;
import io.micrometer.common.KeyValues;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.grpc.GrpcServerObservationContext;
import io.micrometer.core.instrument.binder.grpc.GrpcServerObservationConvention;
import io.micrometer.core.instrument.binder.grpc.ObservationGrpcServerInterceptor;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.config.MeterFilterReply;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import io.micrometer.observation.ObservationRegistry;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * What every server call is measured by, on both transports: Micrometer's own gRPC server
 * observation ({@link ObservationGrpcServerInterceptor}) under a convention that names the timer
 * {@value #METRIC} and tags it with transport, service, method, status and caller ({@link
 * CallerKind}). The observation also feeds a per-service timer with recent p50 and p99 ({@value
 * #SERVICE_METRIC}), which {@code /actuator/transports} shows. With a tracer in the registry the
 * same observation is the call's server span, continuing the caller's trace when the call's
 * metadata carries a {@code traceparent} (gRPC headers, or the QUIC call header's metadata), and
 * tagged with {@link RpcSpanTags}. Both timers are Prometheus histograms with the buckets of {@link
 * RpcLatencyBuckets}.
 */
public final class RpcServerMetrics {

  /** Every call a server handled: transport, service (full name), method, status code, caller. */
  public static final String METRIC = "blixard.rpc.server";

  /**
   * Per service (short name) and transport, across methods, outcomes and callers; recent p50 and
   * p99 in the node (for {@code /actuator/transports}), buckets in the exposition.
   */
  public static final String SERVICE_METRIC = "blixard.transport.calls";

  static final String TRANSPORT = "transport";
  static final String SERVICE = "service";
  static final String METHOD = "method";
  static final String STATUS = "status";
  static final String CALLER = "caller";

  /** The tag Micrometer's meter handler adds; the status tag already says how a call ended. */
  private static final String ERROR = "error";

  private RpcServerMetrics() {}

  /**
   * The metrics link of the chain: an observing interceptor per transport, which gives the links
   * inside it a slot to say who the caller is ({@link CallerKind#record}).
   */
  public static RpcServerInterceptor interceptor(ObservationRegistry observations) {
    Objects.requireNonNull(observations, "observations");
    return transport -> {
      ObservationGrpcServerInterceptor observing =
          new ObservationGrpcServerInterceptor(observations);
      observing.setCustomConvention(new Convention(transport));
      return new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
          // The observation starts inside this context, and its convention keeps the slot.
          return Contexts.interceptCall(
              CallerKind.withSlot(Context.current()),
              call,
              headers,
              (c, h) -> observing.interceptCall(c, h, next));
        }
      };
    };
  }

  /**
   * The convention: {@value #METRIC} tagged transport, service, method, status and caller. A call
   * that ends without the server closing it was cancelled by the client (or its deadline passed),
   * unless a handler threw, which gRPC answers with UNKNOWN.
   */
  public static final class Convention implements GrpcServerObservationConvention {

    private final KeyValue transport;
    private final KeyValue spanTransport;

    public Convention(Transport transport) {
      this.transport = KeyValue.of(TRANSPORT, transport.tag());
      this.spanTransport = KeyValue.of(RpcSpanTags.TRANSPORT, transport.tag());
    }

    @Override
    public String getName() {
      return METRIC;
    }

    @Override
    public String getContextualName(GrpcServerObservationContext context) {
      return context.getFullMethodName();
    }

    @Override
    public KeyValues getLowCardinalityKeyValues(GrpcServerObservationContext context) {
      return KeyValues.of(
          transport,
          KeyValue.of(SERVICE, Objects.requireNonNullElse(context.getServiceName(), "unknown")),
          KeyValue.of(METHOD, Objects.requireNonNullElse(context.getMethodName(), "unknown")),
          KeyValue.of(STATUS, status(context).name()),
          KeyValue.of(CALLER, caller(context).tag()));
    }

    /**
     * The span's tags ({@link RpcSpanTags}), as high-cardinality values: spans carry them, meters
     * never (the timer has the tags above).
     */
    @Override
    public KeyValues getHighCardinalityKeyValues(GrpcServerObservationContext context) {
      return KeyValues.of(
          spanTransport,
          KeyValue.of(
              RpcSpanTags.SERVICE, Objects.requireNonNullElse(context.getServiceName(), "unknown")),
          KeyValue.of(
              RpcSpanTags.METHOD, Objects.requireNonNullElse(context.getMethodName(), "unknown")),
          KeyValue.of(RpcSpanTags.STATUS, status(context).name()));
    }

    /**
     * Asked first when the observation starts, inside the metrics link's context: the slot is kept
     * in the observation, and read again when the call ends, after authorization filled it.
     */
    private static CallerKind caller(GrpcServerObservationContext context) {
      AtomicReference<CallerKind> slot =
          context.computeIfAbsent(CallerKind.class, k -> CallerKind.slot());
      return slot == null ? CallerKind.UNKNOWN : slot.get();
    }

    private static Status.Code status(GrpcServerObservationContext context) {
      if (context.getStatusCode() != null) {
        return context.getStatusCode();
      }
      return context.getError() != null ? Status.Code.UNKNOWN : Status.Code.CANCELLED;
    }
  }

  /**
   * Records each finished server call in {@value #SERVICE_METRIC} too: all calls of a service over
   * one transport, with p50 and p99 over the last minutes, what operators watch while a service
   * moves between transports.
   */
  public static final class ServiceLatencyHandler
      implements ObservationHandler<GrpcServerObservationContext> {

    private final MeterRegistry registry;

    public ServiceLatencyHandler(MeterRegistry registry) {
      this.registry = Objects.requireNonNull(registry, "registry");
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
      // Asked before the observation starts, when the convention has not named it yet.
      return context instanceof GrpcServerObservationContext;
    }

    @Override
    public void onStart(GrpcServerObservationContext context) {
      if (METRIC.equals(context.getName())) {
        context.put(ServiceLatencyHandler.class, Timer.start(registry));
      }
    }

    @Override
    public void onStop(GrpcServerObservationContext context) {
      Timer.Sample sample = context.get(ServiceLatencyHandler.class);
      KeyValue transport = context.getLowCardinalityKeyValue(TRANSPORT);
      if (sample == null || transport == null) {
        return;
      }
      sample.stop(
          Timer.builder(SERVICE_METRIC)
              .description(
                  "Calls handled per service and transport (recent p50 and p99 in"
                      + " /actuator/transports)")
              .tag(TRANSPORT, transport.getValue())
              .tag(SERVICE, ServiceNames.label(context.getServiceName()))
              .publishPercentiles(0.5, 0.99)
              .serviceLevelObjectives(RpcLatencyBuckets.BOUNDS)
              .register(registry));
    }
  }

  /**
   * Shapes {@value #METRIC}: a description, no {@code error} tag (the status says it), and a
   * histogram with the fixed buckets of {@link RpcLatencyBuckets}, the same on every node, so that
   * Prometheus can compute a cluster-wide quantile per transport ({@code histogram_quantile}). The
   * other meters Micrometer's handler derives from the observation ({@code
   * blixard.rpc.server.active} while a call runs, a counter per message event) are left out: they
   * are tagged before the call has a status.
   */
  public static final class MeterShape implements MeterFilter {

    @Override
    public MeterFilterReply accept(Meter.Id id) {
      return id.getName().startsWith(METRIC + ".")
          ? MeterFilterReply.DENY
          : MeterFilterReply.NEUTRAL;
    }

    private static final DistributionStatisticConfig HISTOGRAM = RpcLatencyBuckets.histogram();

    @Override
    public Meter.Id map(Meter.Id id) {
      if (!METRIC.equals(id.getName())) {
        return id;
      }
      // The observation's meter handler gives no description: Prometheus's HELP comes from here.
      return new Meter.Id(
          id.getName(),
          Tags.of(id.getTags().stream().filter(t -> !ERROR.equals(t.getKey())).toList()),
          id.getBaseUnit(),
          "Calls handled by this node's servers",
          id.getType());
    }

    @Override
    public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
      return METRIC.equals(id.getName()) && id.getType() == Meter.Type.TIMER
          ? HISTOGRAM.merge(config)
          : config;
    }
  }
}
