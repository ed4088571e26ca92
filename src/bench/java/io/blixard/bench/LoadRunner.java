package io.blixard.bench;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;

/**
 * A closed loop: {@code concurrency} callers each send a call as soon as their previous one
 * answered, through a warm-up and then until a call count or a time bound is reached.
 */
public final class LoadRunner {

  private LoadRunner() {}

  /** Unary calls of {@code payload} bytes at {@code concurrency}. */
  public static Measurement unary(
      Target target,
      int payloadBytes,
      int concurrency,
      int lossPercent,
      Duration warmUp,
      Duration bound,
      long maxCalls)
      throws InterruptedException {
    byte[] payload = new byte[payloadBytes];
    java.util.concurrent.ThreadLocalRandom.current().nextBytes(payload);
    Histogram nanos = Measurement.newHistogram();
    AtomicLong errors = new AtomicLong();
    java.util.concurrent.atomic.AtomicReference<Throwable> firstError =
        new java.util.concurrent.atomic.AtomicReference<>();
    AtomicLong measured = new AtomicLong();
    AtomicLong lastEnd = new AtomicLong();
    long start = System.nanoTime();
    long measureFrom = start + warmUp.toNanos();
    long stopAt = measureFrom + bound.toNanos();
    CountDownLatch done = new CountDownLatch(concurrency);
    for (int w = 0; w < concurrency; w++) {
      new Caller(target, w, payload, nanos, errors, firstError, measured, lastEnd, measureFrom, stopAt, maxCalls,
              done)
          .next();
    }
    // Calls in flight past the bound are waited for, within reason (lost packets under loss).
    if (!done.await(bound.toSeconds() + warmUp.toSeconds() + 120, TimeUnit.SECONDS)) {
      throw new IllegalStateException(
          target.name() + ": callers did not finish within two minutes of the time bound");
    }
    double seconds = Math.max(0, lastEnd.get() - measureFrom) / 1e9;
    synchronized (nanos) {
      return Measurement.of(
          target.name(), "unary", payloadBytes, concurrency, lossPercent, nanos, errors.get(),
          seconds);
    }
  }

  /** One caller of the closed loop; each answer sends the next call. */
  private static final class Caller {
    private final Target target;
    private final int worker;
    private final byte[] payload;
    private final Histogram nanos;
    private final AtomicLong errors;
    private final java.util.concurrent.atomic.AtomicReference<Throwable> firstError;
    private final AtomicLong measured;
    private final AtomicLong lastEnd;
    private final long measureFrom;
    private final long stopAt;
    private final long maxCalls;
    private final CountDownLatch done;

    Caller(
        Target target,
        int worker,
        byte[] payload,
        Histogram nanos,
        AtomicLong errors,
        java.util.concurrent.atomic.AtomicReference<Throwable> firstError,
        AtomicLong measured,
        AtomicLong lastEnd,
        long measureFrom,
        long stopAt,
        long maxCalls,
        CountDownLatch done) {
      this.target = target;
      this.worker = worker;
      this.payload = payload;
      this.nanos = nanos;
      this.errors = errors;
      this.firstError = firstError;
      this.measured = measured;
      this.lastEnd = lastEnd;
      this.measureFrom = measureFrom;
      this.stopAt = stopAt;
      this.maxCalls = maxCalls;
      this.done = done;
    }

    void next() {
      long began = System.nanoTime();
      if (began >= stopAt || measured.get() >= maxCalls) {
        done.countDown();
        return;
      }
      CompletableFuture<Void> call;
      try {
        call = target.unary(worker, payload);
      } catch (RuntimeException e) {
        call = CompletableFuture.failedFuture(e);
      }
      call.whenComplete(
          (ok, error) -> {
            long ended = System.nanoTime();
            if (error != null && firstError.compareAndSet(null, error)) {
              System.out.printf(
                  "      %s: first failed call after %.1f s: %s%n",
                  target.name(), (ended - began) / 1e9, error);
            }
            if (began >= measureFrom) {
              if (error != null) {
                errors.incrementAndGet();
              } else {
                synchronized (nanos) {
                  nanos.recordValue(Math.min(ended - began, nanos.getHighestTrackableValue()));
                }
              }
              measured.incrementAndGet();
              lastEnd.accumulateAndGet(ended, Math::max);
            }
            if (error != null && began < measureFrom) {
              // A failing warm-up would hide behind the measurement: count it too.
              errors.incrementAndGet();
            }
            if (error != null) {
              // A call that fails at once completes here on this very stack: go round instead.
              java.util.concurrent.ForkJoinPool.commonPool().execute(this::next);
            } else {
              next();
            }
          });
    }
  }

  /** Server-streaming calls of {@code count} messages, one after the other. */
  public static Measurement stream(
      Target target,
      int count,
      int payloadBytes,
      int lossPercent,
      int warmUps,
      int repeats,
      Duration bound)
      throws Exception {
    byte[] payload = new byte[payloadBytes];
    for (int i = 0; i < warmUps; i++) {
      try {
        target.stream(count, payload).get(5, TimeUnit.MINUTES);
      } catch (java.util.concurrent.ExecutionException e) {
        // A failed warm-up call shows again, counted, among the measured ones.
      }
    }
    Histogram nanos = Measurement.newHistogram();
    long errors = 0;
    long start = System.nanoTime();
    long stopAt = start + bound.toNanos();
    for (int i = 0; i < repeats && System.nanoTime() < stopAt; i++) {
      long began = System.nanoTime();
      try {
        int seen = target.stream(count, payload).get(5, TimeUnit.MINUTES);
        if (seen != count) {
          throw new IllegalStateException(seen + " messages (expected: " + count + ")");
        }
        nanos.recordValue(System.nanoTime() - began);
      } catch (java.util.concurrent.ExecutionException e) {
        errors++;
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    return Measurement.of(
        target.name(), "stream", payloadBytes, 1, lossPercent, nanos, errors, seconds);
  }
}
