package io.blixard.security;

/** A bearer token that is not a valid operator token: why, in one line, and what was expected. */
public final class InvalidOperatorTokenException extends RuntimeException {

  /** What was wrong, as the refusal metric names it. */
  public enum Reason {
    /** Not a token, not signed right, wrong audience, or living too long. */
    BAD_TOKEN,
    /** A valid token whose time is up. */
    EXPIRED
  }

  private final Reason reason;

  private InvalidOperatorTokenException(Reason reason, String message) {
    super(message, null, false, false);
    this.reason = reason;
  }

  static InvalidOperatorTokenException bad(String message) {
    return new InvalidOperatorTokenException(Reason.BAD_TOKEN, message);
  }

  static InvalidOperatorTokenException expired(String message) {
    return new InvalidOperatorTokenException(Reason.EXPIRED, message);
  }

  public Reason reason() {
    return reason;
  }
}
