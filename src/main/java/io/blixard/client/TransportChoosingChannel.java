package io.blixard.client;

import io.blixard.migration.MigrationStrategy;
import io.blixard.rpc.ServiceNames;
import io.blixard.transport.Transport;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * An {@link io.grpc.Channel} to one peer over gRPC and QUIC that picks the transport of each call
 * from the peer's migration strategy. A call whose QUIC attempt fails with UNAVAILABLE before any
 * answer is sent over gRPC when the strategy allows fallback; idempotent calls are retried with
 * backoff within a retry budget; each transport to the peer has its own circuit breaker.
 *
 * <p>Replay (fallback and retry) covers unary and server-streaming calls, whose single request is
 * kept until the first answer arrives; streaming-request calls choose their transport once.
 */
public final class TransportChoosingChannel extends Channel {

  private final String peer;
  private final Map<Transport, Channel> channels;
  private final Supplier<MigrationStrategy> strategy;
  private final TransportPolicy policy;
  private final Map<Transport, CircuitBreaker> breakers = new EnumMap<>(Transport.class);
  private final Retry retry;
  private final RateLimiter retryBudget;
  private final LatencyTracker latency;
  private final TransportSelector selector;
  private final MeterRegistry meters;
  private final ScheduledExecutorService scheduler;
  private final Runnable onQuicFailure;

  /**
   * @param peer a name for the peer, used in breaker names and messages
   * @param grpc the gRPC channel to the peer
   * @param quic the QUIC channel to the peer, or null when the peer has no QUIC listener
   * @param strategy the peer's current strategy
   * @param onQuicFailure called when a QUIC attempt fails, e.g. to refresh the strategy
   */
  public TransportChoosingChannel(
      String peer,
      Channel grpc,
      Channel quic,
      Supplier<MigrationStrategy> strategy,
      TransportPolicy policy,
      ClientOptions options,
      CircuitBreakerRegistry breakerRegistry,
      LatencyTracker latency,
      MeterRegistry meters,
      ScheduledExecutorService scheduler,
      Runnable onQuicFailure) {
    this.peer = Objects.requireNonNull(peer, "peer");
    this.channels = new EnumMap<>(Transport.class);
    this.channels.put(Transport.GRPC, Objects.requireNonNull(grpc, "grpc"));
    if (quic != null) {
      this.channels.put(Transport.QUIC, quic);
    }
    this.strategy = Objects.requireNonNull(strategy, "strategy");
    this.policy = Objects.requireNonNull(policy, "policy");
    CircuitBreakerConfig breakerConfig =
        CircuitBreakerConfig.custom()
            .failureRateThreshold(options.failureRateThreshold())
            .slidingWindowSize(options.slidingWindowCalls())
            .minimumNumberOfCalls(Math.min(5, options.slidingWindowCalls()))
            .waitDurationInOpenState(options.openStateWait())
            .permittedNumberOfCallsInHalfOpenState(3)
            .build();
    for (Transport t : Transport.values()) {
      breakers.put(t, breakerRegistry.circuitBreaker(peer + "/" + t.tag(), breakerConfig));
    }
    this.retry =
        Retry.of(
            peer + "/retry",
            RetryConfig.custom()
                .maxAttempts(options.maxAttempts())
                .intervalFunction(
                    IntervalFunction.ofExponentialBackoff(
                        options.initialBackoff(), 2.0, options.maxBackoff()))
                .retryOnException(TransportChoosingChannel::retryable)
                .build());
    this.retryBudget =
        RateLimiter.of(
            peer + "/retry-budget",
            RateLimiterConfig.custom()
                .limitForPeriod(Math.max(1, options.retriesPerSecond()))
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO)
                .build());
    this.latency = Objects.requireNonNull(latency, "latency");
    this.selector = new TransportSelector(latency, () -> ThreadLocalRandom.current().nextInt(100));
    this.meters = Objects.requireNonNull(meters, "meters");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.onQuicFailure = onQuicFailure == null ? () -> {} : onQuicFailure;
  }

  static boolean retryable(Throwable error) {
    return error instanceof StatusRuntimeException e
        && (e.getStatus().getCode() == Status.Code.UNAVAILABLE
            || e.getStatus().getCode() == Status.Code.ABORTED);
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
    return new ChoosingCall<>(method, callOptions);
  }

  @Override
  public String authority() {
    return channels.get(Transport.GRPC).authority();
  }

  /** The circuit breaker of one transport to this peer. */
  public CircuitBreaker breaker(Transport transport) {
    return breakers.get(transport);
  }

  public LatencyTracker latency() {
    return latency;
  }

  private TransportSelector.Selection select(String service) {
    switch (policy) {
      case GRPC:
        return new TransportSelector.Selection(Transport.GRPC, "pinned");
      case QUIC:
        return new TransportSelector.Selection(Transport.QUIC, "pinned");
      default:
        break;
    }
    boolean hasQuic = channels.containsKey(Transport.QUIC);
    boolean quicClosed = hasQuic && breakers.get(Transport.QUIC).tryAcquirePermission();
    TransportSelector.Selection selection =
        selector.select(
            service, strategy.get(), quicClosed, hasQuic ? "circuit_open" : "quic_unknown");
    if (quicClosed && selection.transport() != Transport.QUIC) {
      // The permission taken to look at the breaker is not used.
      breakers.get(Transport.QUIC).releasePermission();
    }
    if (selection.transport() == Transport.GRPC
        && ("circuit_open".equals(selection.reason())
            || "quic_unknown".equals(selection.reason()))) {
      // The strategy named QUIC, but its circuit is open or the peer has no QUIC listener.
      fallbackCounter(Transport.QUIC, Transport.GRPC, selection.reason()).increment();
    }
    return selection;
  }

  private Counter fallbackCounter(Transport from, Transport to, String reason) {
    return Counter.builder("blixard.client.fallbacks")
        .description("Calls moved from one transport to another")
        .tag("from", from.tag())
        .tag("to", to.tag())
        .tag("reason", reason)
        .register(meters);
  }

  private Counter selectionCounter(String service, Transport transport, String reason) {
    return Counter.builder("blixard.client.selections")
        .description("Transport chosen for each call, and why")
        .tag("service", service)
        .tag("transport", transport.tag())
        .tag("reason", reason)
        .register(meters);
  }

  private Timer attemptTimer(MethodDescriptor<?, ?> method, Transport transport, Status status) {
    return Timer.builder("blixard.client.attempts")
        .description("Call attempts made by this client, per transport")
        .tag("transport", transport.tag())
        .tag("service", String.valueOf(method.getServiceName()))
        .tag("method", String.valueOf(method.getBareMethodName()))
        .tag("status", status.getCode().name())
        .register(meters);
  }

  /** One call as the application sees it; one or more attempts underneath. */
  private final class ChoosingCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {

    private final MethodDescriptor<ReqT, RespT> method;
    private final CallOptions options;
    private final String service;
    private final boolean replayable;
    private final boolean idempotent;
    private final Retry.AsyncContext<Void> retryContext;

    // Guarded by "this".
    private Listener<RespT> listener;
    private Metadata headers;
    private int requested;
    private ReqT message;
    private boolean halfClosed;
    private boolean cancelled;
    private boolean committed;
    private boolean fellBack;
    private ClientCall<ReqT, RespT> attempt;
    private Transport attemptTransport;

    ChoosingCall(MethodDescriptor<ReqT, RespT> method, CallOptions options) {
      this.method = method;
      this.options = options;
      this.service = ServiceNames.label(method.getServiceName());
      this.replayable = !method.getType().clientSendsOneMessage() ? false : true;
      this.idempotent = method.isIdempotent() || method.isSafe();
      this.retryContext = retry.asyncContext();
    }

    @Override
    public synchronized void start(Listener<RespT> responseListener, Metadata requestHeaders) {
      this.listener = responseListener;
      this.headers = requestHeaders;
      if (!replayable) {
        launch(select(service));
      }
    }

    @Override
    public synchronized void request(int numMessages) {
      requested += numMessages;
      if (attempt != null) {
        attempt.request(numMessages);
      }
    }

    @Override
    public synchronized void sendMessage(ReqT request) {
      if (replayable) {
        message = request;
      } else {
        attempt.sendMessage(request);
      }
    }

    @Override
    public synchronized void halfClose() {
      halfClosed = true;
      if (replayable) {
        launch(select(service));
      } else {
        attempt.halfClose();
      }
    }

    @Override
    public synchronized void cancel(String reason, Throwable cause) {
      cancelled = true;
      if (attempt != null) {
        attempt.cancel(reason, cause);
      } else if (listener != null) {
        listener.onClose(Status.CANCELLED.withDescription(reason).withCause(cause), new Metadata());
      }
    }

    @Override
    public synchronized boolean isReady() {
      return attempt != null && attempt.isReady();
    }

    @Override
    public synchronized void setMessageCompression(boolean enabled) {
      if (attempt != null) {
        attempt.setMessageCompression(enabled);
      }
    }

    private synchronized void launch(TransportSelector.Selection selection) {
      if (cancelled) {
        return;
      }
      Transport transport = selection.transport();
      selectionCounter(service, transport, selection.reason()).increment();
      Channel channel = channels.get(transport);
      if (channel == null) {
        listener.onClose(
            Status.UNAVAILABLE.withDescription(
                "peer " + peer + " has no known " + transport.tag() + " address"),
            new Metadata());
        return;
      }
      if (transport == Transport.GRPC && !breakers.get(Transport.GRPC).tryAcquirePermission()) {
        listener.onClose(
            Status.UNAVAILABLE.withDescription(
                "circuit to peer " + peer + " over grpc is open after repeated failures"),
            new Metadata());
        return;
      }
      attemptTransport = transport;
      attempt = channel.newCall(method, options);
      Metadata attemptHeaders = new Metadata();
      attemptHeaders.merge(headers);
      attempt.start(new AttemptListener(attempt, transport, System.nanoTime()), attemptHeaders);
      if (requested > 0) {
        attempt.request(requested);
      }
      if (replayable) {
        attempt.sendMessage(message);
        if (halfClosed) {
          attempt.halfClose();
        }
      }
    }

    /** What to do with a failed attempt that answered nothing; true when handled. */
    private synchronized boolean recover(Transport failed, Status status) {
      if (!replayable || committed || cancelled) {
        return false;
      }
      if (failed == Transport.QUIC
          && policy == TransportPolicy.AUTO
          && !fellBack
          && status.getCode() == Status.Code.UNAVAILABLE
          && strategy.get().fallbackToGrpc()
          && strategy.get().servedOn(service).contains(Transport.GRPC)) {
        fellBack = true;
        fallbackCounter(Transport.QUIC, Transport.GRPC, "unavailable").increment();
        launch(new TransportSelector.Selection(Transport.GRPC, "fallback"));
        return true;
      }
      if (!idempotent) {
        return false;
      }
      long delay = retryContext.onError(status.asRuntimeException());
      if (delay < 0 || !retryBudget.acquirePermission()) {
        return false;
      }
      Counter.builder("blixard.client.retries")
          .description("Attempts retried after a failure")
          .tag("service", service)
          .tag("transport", failed.tag())
          .register(meters)
          .increment();
      scheduler.schedule(
          () ->
              launch(
                  fellBack
                      ? new TransportSelector.Selection(Transport.GRPC, "retry")
                      : select(service)),
          delay,
          TimeUnit.MILLISECONDS);
      return true;
    }

    private final class AttemptListener extends Listener<RespT> {
      private final ClientCall<ReqT, RespT> call;
      private final Transport transport;
      private final long startNanos;

      AttemptListener(ClientCall<ReqT, RespT> call, Transport transport, long startNanos) {
        this.call = call;
        this.transport = transport;
        this.startNanos = startNanos;
      }

      private boolean current() {
        synchronized (ChoosingCall.this) {
          return attempt == call;
        }
      }

      @Override
      public void onHeaders(Metadata responseHeaders) {
        synchronized (ChoosingCall.this) {
          committed = true;
        }
        listener.onHeaders(responseHeaders);
      }

      @Override
      public void onMessage(RespT response) {
        synchronized (ChoosingCall.this) {
          committed = true;
        }
        listener.onMessage(response);
      }

      @Override
      public void onReady() {
        if (current()) {
          listener.onReady();
        }
      }

      @Override
      public void onClose(Status status, Metadata trailers) {
        long nanos = System.nanoTime() - startNanos;
        attemptTimer(method, transport, status).record(nanos, TimeUnit.NANOSECONDS);
        CircuitBreaker breaker = breakers.get(transport);
        if (transportFailure(status)) {
          breaker.onError(nanos, TimeUnit.NANOSECONDS, status.asRuntimeException());
          if (transport == Transport.QUIC) {
            onQuicFailure.run();
          }
        } else {
          breaker.onSuccess(nanos, TimeUnit.NANOSECONDS);
          if (status.isOk()) {
            latency.record(service, transport, nanos);
          }
        }
        if (!status.isOk() && recover(transport, status)) {
          return;
        }
        if (status.isOk()) {
          retryContext.onComplete();
        }
        listener.onClose(status, trailers);
      }
    }
  }

  /** Failures of the transport or the peer, as opposed to answers the service gave. */
  static boolean transportFailure(Status status) {
    return switch (status.getCode()) {
      case UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, UNKNOWN -> true;
      default -> false;
    };
  }
}
