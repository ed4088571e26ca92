package io.blixard.rpc;

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
import io.micrometer.common.KeyValue;
import io.micrometer.core.instrument.binder.grpc.GrpcServerObservationContext;
import io.micrometer.observation.Observation;
import io.micrometer.observation.ObservationHandler;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLongArray;

/**
 * The calls this node counted since it started, per side (as server, as client of other members),
 * service and transport: how many, how many failed, and how many fell in each latency bucket of
 * {@link RpcLatencyBuckets}. Counts only grow, so that whoever reads them twice (the leader's
 * canary guard) takes the difference; a new {@link #instance()} says they began again. Unlike a
 * Micrometer histogram, nothing here decays or depends on the meter registry in use.
 */
public final class TransportFigures {

  /** Which end of a call counted it. */
  public enum Side {
    /** Calls this node's servers handled, from clients and members alike. */
    SERVER,
    /** Calls this node made to other members. */
    CLIENT;

    /** The lower-case form the figures travel with. */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The statuses that say a call or its transport failed; the others are the caller's doing. */
  public static final Set<Status.Code> ERRORS =
      EnumSet.of(
          Status.Code.UNKNOWN,
          Status.Code.DEADLINE_EXCEEDED,
          Status.Code.RESOURCE_EXHAUSTED,
          Status.Code.UNIMPLEMENTED,
          Status.Code.INTERNAL,
          Status.Code.UNAVAILABLE,
          Status.Code.DATA_LOSS);

  /** Buckets of each figure: one per bound of {@link RpcLatencyBuckets#BOUNDS}, one beyond. */
  public static final int BUCKETS = RpcLatencyBuckets.BOUNDS.length + 1;

  /** What a figure counts: one side, one service (short name), one transport. */
  public record Key(Side side, String service, Transport transport) {
    public Key {
      Objects.requireNonNull(side, "side");
      Objects.requireNonNull(service, "service");
      Objects.requireNonNull(transport, "transport");
    }
  }

  /**
   * Counts of one key.
   *
   * @param buckets calls per latency bucket, each bucket's own (not cumulative), {@link #BUCKETS}
   *     of them
   */
  public record Counts(long calls, long errors, long[] buckets) {
    public Counts {
      if (buckets.length != BUCKETS) {
        throw new IllegalArgumentException(
            "buckets: " + buckets.length + " (expected: " + BUCKETS + ")");
      }
      buckets = buckets.clone();
    }

    @Override
    public long[] buckets() {
      return buckets.clone();
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Counts c
          && c.calls == calls
          && c.errors == errors
          && Arrays.equals(c.buckets, buckets);
    }

    @Override
    public int hashCode() {
      return Objects.hash(calls, errors, Arrays.hashCode(buckets));
    }

    @Override
    public String toString() {
      return "Counts[calls="
          + calls
          + ", errors="
          + errors
          + ", buckets="
          + Arrays.toString(buckets)
          + "]";
    }
  }

  // Per key: calls, errors, then the buckets.
  private final Map<Key, AtomicLongArray> counts = new ConcurrentHashMap<>();
  private final long instance = new SecureRandom().nextLong();

  /** A random number of this node's start: the counts begin again when it changes. */
  public long instance() {
    return instance;
  }

  /** Counts one finished call of a known service; calls of other services are not counted. */
  public void record(
      Side side, String fullServiceName, Transport transport, Status.Code code, long nanos) {
    ServiceNames.shortName(fullServiceName)
        .ifPresent(
            service -> {
              AtomicLongArray c =
                  counts.computeIfAbsent(
                      new Key(side, service, transport), k -> new AtomicLongArray(2 + BUCKETS));
              c.incrementAndGet(0);
              if (ERRORS.contains(code)) {
                c.incrementAndGet(1);
              }
              c.incrementAndGet(2 + bucketOf(nanos));
            });
  }

  /** The counts of every key seen since the node started. */
  public Map<Key, Counts> snapshot() {
    Map<Key, Counts> snapshot = new LinkedHashMap<>();
    counts.forEach(
        (key, c) -> {
          long[] buckets = new long[BUCKETS];
          for (int i = 0; i < BUCKETS; i++) {
            buckets[i] = c.get(2 + i);
          }
          // Read after the buckets: a call counted meanwhile is in a bucket, never missing one.
          snapshot.put(key, new Counts(c.get(0), c.get(1), buckets));
        });
    return snapshot;
  }

  /** The bucket a call of {@code nanos} falls in: the first whose bound it does not exceed. */
  static int bucketOf(long nanos) {
    for (int i = 0; i < RpcLatencyBuckets.BOUNDS.length; i++) {
      if (nanos <= RpcLatencyBuckets.BOUNDS[i].toNanos()) {
        return i;
      }
    }
    return RpcLatencyBuckets.BOUNDS.length;
  }

  /**
   * Counts every finished server call, on either transport, as the metrics link's observation
   * tagged it (transport, status).
   */
  public static final class ServerRecorder
      implements ObservationHandler<GrpcServerObservationContext> {

    private final TransportFigures figures;

    public ServerRecorder(TransportFigures figures) {
      this.figures = Objects.requireNonNull(figures, "figures");
    }

    @Override
    public boolean supportsContext(Observation.Context context) {
      return context instanceof GrpcServerObservationContext;
    }

    @Override
    public void onStart(GrpcServerObservationContext context) {
      if (RpcServerMetrics.METRIC.equals(context.getName())) {
        context.put(ServerRecorder.class, System.nanoTime());
      }
    }

    @Override
    public void onStop(GrpcServerObservationContext context) {
      Long start = context.get(ServerRecorder.class);
      KeyValue transport = context.getLowCardinalityKeyValue(RpcServerMetrics.TRANSPORT);
      KeyValue status = context.getLowCardinalityKeyValue(RpcServerMetrics.STATUS);
      if (start == null || transport == null || status == null) {
        return;
      }
      Transport t = Transport.valueOf(transport.getValue().toUpperCase(Locale.ROOT));
      figures.record(
          Side.SERVER,
          context.getServiceName(),
          t,
          Status.Code.valueOf(status.getValue()),
          System.nanoTime() - start);
    }
  }

  /** Counts every call made through a channel over {@code transport}, as the client side. */
  public ClientInterceptor clientInterceptor(Transport transport) {
    Objects.requireNonNull(transport, "transport");
    return new ClientInterceptor() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(
            next.newCall(method, options)) {
          @Override
          public void start(Listener<RespT> listener, Metadata headers) {
            long start = System.nanoTime();
            super.start(
                new ForwardingClientCallListener.SimpleForwardingClientCallListener<>(listener) {
                  @Override
                  public void onClose(Status status, Metadata trailers) {
                    record(
                        Side.CLIENT,
                        method.getServiceName(),
                        transport,
                        status.getCode(),
                        System.nanoTime() - start);
                    super.onClose(status, trailers);
                  }
                },
                headers);
          }
        };
      }
    };
  }
}
