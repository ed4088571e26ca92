package io.blixard.client;

import io.blixard.rpc.ServiceNames;
import io.blixard.transport.Transport;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.ratelimiter.RateLimiter;
import io.github.resilience4j.ratelimiter.RateLimiterConfig;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Retries failed calls to one peer with exponential backoff (a Resilience4j {@link Retry}) within a
 * retry budget (a Resilience4j {@link RateLimiter}: retries beyond its rate fail at once instead of
 * piling on a struggling node). A call is retried only when it failed UNAVAILABLE or ABORTED before
 * anything was answered, no circuit refused it, and sending it again is safe ({@link
 * ReplaySafety}). Each retry is a new call to the channel below, made in the caller's context.
 *
 * <p>Retries cover unary and server-streaming calls, whose single request is kept; calls that
 * stream requests pass through.
 */
final class RetryInterceptor implements ClientInterceptor {

  private final Retry retry;
  private final RateLimiter budget;
  private final ScheduledExecutorService scheduler;
  private final MeterRegistry meters;

  RetryInterceptor(
      String peer,
      ClientOptions options,
      ScheduledExecutorService scheduler,
      MeterRegistry meters) {
    Objects.requireNonNull(peer, "peer");
    Objects.requireNonNull(options, "options");
    this.retry =
        Retry.of(
            peer + "/retry",
            RetryConfig.custom()
                .maxAttempts(options.maxAttempts())
                .intervalFunction(
                    IntervalFunction.ofExponentialBackoff(
                        options.initialBackoff(), 2.0, options.maxBackoff()))
                .retryOnException(RetryInterceptor::retryableCode)
                .build());
    this.budget =
        RateLimiter.of(
            peer + "/retry-budget",
            RateLimiterConfig.custom()
                .limitForPeriod(Math.max(1, options.retriesPerSecond()))
                .limitRefreshPeriod(Duration.ofSeconds(1))
                .timeoutDuration(Duration.ZERO)
                .build());
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.meters = Objects.requireNonNull(meters, "meters");
  }

  static boolean retryableCode(Throwable error) {
    return error instanceof StatusRuntimeException e
        && (e.getStatus().getCode() == Status.Code.UNAVAILABLE
            || e.getStatus().getCode() == Status.Code.ABORTED);
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> interceptCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions, Channel next) {
    if (!method.getType().clientSendsOneMessage()) {
      return next.newCall(method, callOptions);
    }
    return new RetryingCall<>(method, callOptions, next);
  }

  private final class RetryingCall<ReqT, RespT> extends ReplayingCall<ReqT, RespT> {

    private final MethodDescriptor<ReqT, RespT> method;
    private final Channel next;
    private final Retry.AsyncContext<Void> retryContext = retry.asyncContext();
    private final AtomicReference<Transport> transport = new AtomicReference<>();

    RetryingCall(MethodDescriptor<ReqT, RespT> method, CallOptions options, Channel next) {
      super(options, scheduler);
      this.method = method;
      this.next = next;
    }

    @Override
    protected ClientCall<ReqT, RespT> newAttempt(int number, CallOptions options) {
      return next.newCall(method, options.withOption(FallbackChannel.ATTEMPT_TRANSPORT, transport));
    }

    @Override
    protected long afterFailure(int number, Status status, Metadata trailers) {
      StatusRuntimeException error = status.asRuntimeException(trailers);
      if (!retryableCode(error)
          || ReplaySafety.circuitOpen(status)
          || !ReplaySafety.mayReplay(method, status)) {
        return GIVE_UP;
      }
      long delayMillis = retryContext.onError(error);
      if (delayMillis < 0
          || !timeLeftFor(TimeUnit.MILLISECONDS.toNanos(delayMillis))
          || !budget.acquirePermission()) {
        return GIVE_UP;
      }
      Transport failed = transport.get();
      Counter.builder("blixard.client.retries")
          .description("Attempts retried after a failure")
          .tag("service", ServiceNames.label(method.getServiceName()))
          .tag("transport", failed == null ? "unknown" : failed.tag())
          .register(meters)
          .increment();
      return TimeUnit.MILLISECONDS.toNanos(delayMillis);
    }

    @Override
    protected void closed(Status status) {
      if (status.isOk()) {
        retryContext.onComplete();
      }
    }
  }
}
