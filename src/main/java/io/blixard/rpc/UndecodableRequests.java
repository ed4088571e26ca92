package io.blixard.rpc;

import io.blixard.transport.RefusalLog;
import io.blixard.transport.Transport;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.util.Objects;
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

  private final RefusalLog refusals;

  public UndecodableRequests(Transport transport) {
    Objects.requireNonNull(transport, "transport");
    this.refusals =
        new RefusalLog(
            log,
            "call(s) over "
                + transport.tag()
                + " whose request message did not parse"
                + " (INVALID_ARGUMENT)");
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
    refusals.refused(method.getFullMethodName() + ": " + error.getMessage());
  }
}
