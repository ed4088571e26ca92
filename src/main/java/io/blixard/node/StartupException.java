package io.blixard.node;

import java.util.Objects;

/**
 * A start-up failure whose cause is known: the node stops with its one-line {@link #getMessage()
 * reason} and the {@link #action()} that recovers, and no stack trace ({@link
 * StartupFailureAnalyzer}).
 */
public final class StartupException extends RuntimeException {

  private final String action;

  public StartupException(String reason, String action) {
    this(reason, action, null);
  }

  public StartupException(String reason, String action, Throwable cause) {
    super(Objects.requireNonNull(reason, "reason"), cause);
    this.action = Objects.requireNonNull(action, "action");
  }

  /** What the operator does to recover, in one or two sentences. */
  public String action() {
    return action;
  }
}
