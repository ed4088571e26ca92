package io.blixard.cluster;

/** A failed step of joining a group, with whether trying again later can succeed. */
public class JoinException extends RuntimeException {

  /** Why a join step failed. */
  public enum Reason {
    /** The member could not be reached (connection refused, timed out). */
    UNREACHABLE(true),
    /** The member knows no Raft leader, or the configuration change did not complete. */
    LEADER_UNKNOWN(true),
    /** The node id is already a member with another Raft address or key. */
    CONFLICT(false),
    /** The member refused the request as invalid. */
    REFUSED(false);

    private final boolean retryable;

    Reason(boolean retryable) {
      this.retryable = retryable;
    }

    public boolean retryable() {
      return retryable;
    }
  }

  private final Reason reason;

  public JoinException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public JoinException(Reason reason, String message, Throwable cause) {
    super(message, cause);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
