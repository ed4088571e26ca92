package io.blixard.rpc;

import io.blixard.transport.Transport;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How a call whose request message does not parse is answered and logged, the same on every
 * transport (docs/protocol.md §5): {@code INVALID_ARGUMENT} naming the method, and a WARN line at
 * most once a minute that counts such calls, never a stack trace per call. Bad input is the
 * caller's mistake, and a flood of it must not flood the log.
 */
public final class UndecodableRequests {

  private static final Logger log = LoggerFactory.getLogger(UndecodableRequests.class);
  private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final Transport transport;
  private final AtomicLong sinceLastLine = new AtomicLong();
  private final AtomicLong nextLineAt;

  public UndecodableRequests(Transport transport) {
    this.transport = Objects.requireNonNull(transport, "transport");
    this.nextLineAt = new AtomicLong(System.nanoTime());
  }

  /** The answer to a call of {@code method} whose request failed to parse with {@code error}. */
  public static Status status(MethodDescriptor<?, ?> method, Throwable error) {
    return Status.INVALID_ARGUMENT.withDescription(
        "the request message of "
            + method.getFullMethodName()
            + " does not parse: "
            + error.getMessage());
  }

  /** Counts one refused call and logs, unless a line was logged less than a minute ago. */
  public void refused(MethodDescriptor<?, ?> method, Throwable error) {
    sinceLastLine.incrementAndGet();
    long now = System.nanoTime();
    long next = nextLineAt.get();
    if (now - next < 0 || !nextLineAt.compareAndSet(next, now + LOG_INTERVAL_NANOS)) {
      return;
    }
    log.warn(
        "Refused {} call(s) over {} whose request message did not parse (INVALID_ARGUMENT), the"
            + " latest of {}: {} (logged at most once a minute)",
        sinceLastLine.getAndSet(0),
        transport.tag(),
        method.getFullMethodName(),
        error.getMessage());
  }
}
