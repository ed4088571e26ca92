package io.blixard.client;

import io.blixard.migration.MigrationStrategy;
import io.blixard.rpc.RpcClientObservations;
import io.blixard.transport.Transport;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.MethodDescriptor;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Metrics;
import io.micrometer.observation.ObservationRegistry;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Supplier;

/**
 * An {@link io.grpc.Channel} to one peer over gRPC and QUIC that sends each call over the transport
 * its {@link TransportSelection} names, assembled from parts that each do one thing:
 *
 * <pre>
 *   keeping the caller's observation        so that every attempt is in the caller's trace
 *   RetryInterceptor                       backoff and retry budget, safe calls only
 *     FallbackChannel(selection)           QUIC first when chosen; gRPC when QUIC cannot take it
 *       quic: CircuitBreakerInterceptor(peer/quic) -&gt; TransportFailureInterceptor(onQuicFailure)
 *             -&gt; ClientMetricsInterceptor -&gt; client observation (quic) -&gt; QUIC channel
 *       grpc: CircuitBreakerInterceptor(peer/grpc) -&gt; ClientMetricsInterceptor
 *             -&gt; client observation (grpc) -&gt; gRPC channel
 * </pre>
 *
 * <p>A call is sent again (retried, or moved to gRPC) only when that is safe: its method is
 * declared free of side effects or idempotent in its .proto, or the failure shows the server never
 * ran it ({@link ReplaySafety}). Every attempt runs in the caller's context; cancelling a call
 * while it waits for a retry closes it at once.
 */
public final class TransportChoosingChannel extends Channel {

  private final Channel grpc;
  private final Channel calls;
  private final Map<Transport, CircuitBreaker> breakers;
  private final LatencyTracker latency;

  private TransportChoosingChannel(Builder builder) {
    this.grpc = builder.grpc;
    this.latency = builder.latency;
    CircuitBreakerConfig breakerConfig =
        CircuitBreakerConfig.custom()
            .failureRateThreshold(builder.options.failureRateThreshold())
            .slidingWindowSize(builder.options.slidingWindowCalls())
            .minimumNumberOfCalls(Math.min(5, builder.options.slidingWindowCalls()))
            .waitDurationInOpenState(builder.options.openStateWait())
            .permittedNumberOfCallsInHalfOpenState(3)
            .build();
    Map<Transport, CircuitBreaker> byTransport = new EnumMap<>(Transport.class);
    for (Transport t : Transport.values()) {
      byTransport.put(
          t, builder.breakers.circuitBreaker(builder.peer + "/" + t.tag(), breakerConfig));
    }
    this.breakers = Map.copyOf(byTransport);
    byTransport.forEach((t, breaker) -> circuitGauges(builder, t, breaker));
    Channel quic =
        builder.quic == null ? null : leg(builder, Transport.QUIC, builder.quic, byTransport);
    TransportSelection selection = builder.policy.selection(builder.strategy, builder.latency);
    Channel fallback =
        new FallbackChannel(
            builder.peer,
            leg(builder, Transport.GRPC, builder.grpc, byTransport),
            quic,
            selection,
            builder.meters);
    this.calls =
        ClientInterceptors.intercept(
            fallback,
            new RetryInterceptor(builder.peer, builder.options, builder.scheduler, builder.meters),
            RpcClientObservations.keepingCaller(builder.observations));
  }

  /**
   * {@code blixard.client.circuit.state{peer,transport,state}}: 1 for the state the breaker is in
   * ({@code closed}, {@code open}, {@code half_open}), 0 for the others, read at each scrape.
   */
  private static void circuitGauges(Builder builder, Transport transport, CircuitBreaker breaker) {
    for (String state : List.of("closed", "open", "half_open")) {
      // A client rebuilds its channel when the node's QUIC address changes; the breaker, and so
      // its gauges, stay the same ones (registering them again would only log a warning).
      if (builder
              .meters
              .find("blixard.client.circuit.state")
              .tags("peer", builder.peer, "transport", transport.tag(), "state", state)
              .gauge()
          != null) {
        continue;
      }
      Gauge.builder(
              "blixard.client.circuit.state",
              breaker,
              b -> state.equals(stateTag(b.getState())) ? 1 : 0)
          .description("1 for the state of the circuit breaker to the peer over the transport")
          .tags("peer", builder.peer, "transport", transport.tag(), "state", state)
          .register(builder.meters);
    }
  }

  private static String stateTag(CircuitBreaker.State state) {
    return switch (state) {
      case OPEN, FORCED_OPEN -> "open";
      case HALF_OPEN -> "half_open";
      default -> "closed";
    };
  }

  /**
   * One transport's channel with its client observation (a span per attempt, tagged with the
   * transport), its metrics and, outside them, its circuit breaker; QUIC failures are reported to
   * {@code onQuicFailure}.
   */
  private static Channel leg(
      Builder builder, Transport transport, Channel channel, Map<Transport, CircuitBreaker> b) {
    // The interceptor listed last runs first: a call refused by the breaker is neither timed nor
    // reported as a failure of the transport.
    List<ClientInterceptor> interceptors = new ArrayList<>();
    interceptors.add(RpcClientObservations.interceptor(builder.observations, transport));
    interceptors.add(new ClientMetricsInterceptor(transport, builder.meters, builder.latency));
    if (transport == Transport.QUIC) {
      interceptors.add(new TransportFailureInterceptor(builder.onQuicFailure));
    }
    interceptors.add(new CircuitBreakerInterceptor(b.get(transport), builder.peer, transport));
    return ClientInterceptors.intercept(channel, interceptors);
  }

  /**
   * A channel to {@code peer} (a name used in breaker names and messages) whose gRPC channel is
   * {@code grpc}.
   */
  public static Builder builder(String peer, Channel grpc) {
    return new Builder(peer, grpc);
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
    return calls.newCall(method, callOptions);
  }

  @Override
  public String authority() {
    return grpc.authority();
  }

  /** The circuit breaker of one transport to this peer. */
  public CircuitBreaker breaker(Transport transport) {
    return breakers.get(transport);
  }

  /** The call latencies adaptive selection compares. */
  public LatencyTracker latency() {
    return latency;
  }

  /** How a {@link TransportChoosingChannel} is put together; only the scheduler has no default. */
  public static final class Builder {

    private final String peer;
    private final Channel grpc;
    private Channel quic;
    private Supplier<MigrationStrategy> strategy = MigrationStrategy::defaults;
    private TransportPolicy policy = TransportPolicy.AUTO;
    private ClientOptions options = ClientOptions.defaults();
    private CircuitBreakerRegistry breakers = CircuitBreakerRegistry.ofDefaults();
    private LatencyTracker latency = new LatencyTracker();
    private MeterRegistry meters = Metrics.globalRegistry;
    private ObservationRegistry observations = ObservationRegistry.NOOP;
    private ScheduledExecutorService scheduler;
    private Runnable onQuicFailure = () -> {};

    private Builder(String peer, Channel grpc) {
      this.peer = Objects.requireNonNull(peer, "peer");
      this.grpc = Objects.requireNonNull(grpc, "grpc");
    }

    /** The QUIC channel to the peer; without one, every call goes over gRPC. */
    public Builder quic(Channel quic) {
      this.quic = quic;
      return this;
    }

    /** The peer's current migration strategy, read for every call (default: all over gRPC). */
    public Builder strategy(Supplier<MigrationStrategy> strategy) {
      this.strategy = Objects.requireNonNull(strategy, "strategy");
      return this;
    }

    /** Follow the strategy (the default), or pin one transport. */
    public Builder policy(TransportPolicy policy) {
      this.policy = Objects.requireNonNull(policy, "policy");
      return this;
    }

    /** Retries, retry budget and circuit breakers (default: {@link ClientOptions#defaults()}). */
    public Builder options(ClientOptions options) {
      this.options = Objects.requireNonNull(options, "options");
      return this;
    }

    /** Where the two breakers, named {@code peer/grpc} and {@code peer/quic}, are kept. */
    public Builder breakers(CircuitBreakerRegistry breakers) {
      this.breakers = Objects.requireNonNull(breakers, "breakers");
      return this;
    }

    /** The latency averages to feed and to select by (shared by a client's channels). */
    public Builder latency(LatencyTracker latency) {
      this.latency = Objects.requireNonNull(latency, "latency");
      return this;
    }

    /** Where the client's meters go (default: Micrometer's global registry). */
    public Builder meters(MeterRegistry meters) {
      this.meters = Objects.requireNonNull(meters, "meters");
      return this;
    }

    /**
     * Where each attempt is observed (default: nowhere): with a tracer in it, an attempt is a
     * client span of the caller's trace and carries its context to the peer.
     */
    public Builder observations(ObservationRegistry observations) {
      this.observations = Objects.requireNonNull(observations, "observations");
      return this;
    }

    /** Runs retries after their backoff. */
    public Builder scheduler(ScheduledExecutorService scheduler) {
      this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
      return this;
    }

    /** Called, with no lock held, when a QUIC attempt fails; e.g. to refresh the strategy. */
    public Builder onQuicFailure(Runnable onQuicFailure) {
      this.onQuicFailure = Objects.requireNonNull(onQuicFailure, "onQuicFailure");
      return this;
    }

    public TransportChoosingChannel build() {
      if (scheduler == null) {
        throw new IllegalStateException(
            "scheduler: not set (expected: the executor that runs retries after their backoff)");
      }
      return new TransportChoosingChannel(this);
    }
  }
}
