package io.blixard.cluster.registry;

import java.util.Objects;

/**
 * Why the cluster state refuses a command: a short lowercase reason for the metrics ({@code
 * bad_signature}, {@code not_operator}, {@code not_admitted}, {@code token_expired}, ...) and one
 * line saying what was missing and what was expected.
 */
public record CommandRefusal(String reason, String message) {

  public CommandRefusal {
    Objects.requireNonNull(reason, "reason");
    Objects.requireNonNull(message, "message");
  }

  @Override
  public String toString() {
    return reason + ": " + message;
  }
}
