package io.blixard.transport;

import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;

/**
 * A WARN line for refused work — bad input, a connection over a limit — at most once a minute, with
 * how many were refused since the last line and what the latest was: a flood of refusals must not
 * flood the log, and one refusal must not go unsaid. Thread-safe.
 */
public final class RefusalLog {

  private static final long LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);

  private final Logger log;
  private final String what;
  private final AtomicLong sinceLastLine = new AtomicLong();
  private final AtomicLong nextLineAt = new AtomicLong(System.nanoTime());

  /**
   * @param what the refused things, plural, as the line names them ("QUIC connections")
   */
  public RefusalLog(Logger log, String what) {
    this.log = Objects.requireNonNull(log, "log");
    this.what = Objects.requireNonNull(what, "what");
  }

  /** Counts one refusal and logs, unless a line was logged less than a minute ago. */
  public void refused(String latest) {
    sinceLastLine.incrementAndGet();
    long now = System.nanoTime();
    long next = nextLineAt.get();
    if (now - next < 0 || !nextLineAt.compareAndSet(next, now + LOG_INTERVAL_NANOS)) {
      return;
    }
    log.warn(
        "Refused {} {}, the latest: {} (logged at most once a minute)",
        sinceLastLine.getAndSet(0),
        what,
        latest);
  }
}
