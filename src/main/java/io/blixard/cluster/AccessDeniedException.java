package io.blixard.cluster;

import java.util.Objects;

/**
 * The cluster refused a request because of who made it or what proof came with it: not admitted,
 * not an operator, a bad signature, an expired or used join token. The message is one line naming
 * what was missing and what was expected; {@link #reason()} is the short word metrics count it by.
 */
public class AccessDeniedException extends RuntimeException {

  private final String reason;

  public AccessDeniedException(String reason, String message) {
    super(message, null, false, false);
    this.reason = Objects.requireNonNull(reason, "reason");
  }

  /** A short lowercase word: not_admitted, not_operator, bad_signature, token_expired, ... */
  public String reason() {
    return reason;
  }
}
