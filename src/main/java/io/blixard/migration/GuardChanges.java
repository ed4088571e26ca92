package io.blixard.migration;

import io.blixard.cluster.GuardChangeRule;
import java.util.Optional;

/**
 * The changes a canary guard may make to the cluster's strategy without an operator: one service's
 * QUIC share, nothing else, while the guard is on; set back (to a lower share), or with promotion
 * on raised by at most the promotion step. The registry applies this rule on every node alike.
 */
public final class GuardChanges implements GuardChangeRule {

  @Override
  public Optional<String> refusal(byte[] current, byte[] proposed, String service) {
    MigrationStrategy now;
    MigrationStrategy next;
    try {
      now = StrategyProtos.parse(current);
      next = StrategyProtos.parse(proposed);
    } catch (IllegalArgumentException e) {
      return Optional.of(e.getMessage());
    }
    return refusal(now, next, service);
  }

  /** {@link #refusal(byte[], byte[], String)} of the domain types. */
  public static Optional<String> refusal(
      MigrationStrategy now, MigrationStrategy next, String service) {
    if (!now.guard().enabled()) {
      return Optional.of(
          "the canary guard is off in the current strategy (expected: a guard change only while"
              + " guard.enabled is true)");
    }
    int before = now.quicSharePercent(service);
    int after = next.quicSharePercent(service);
    if (!now.withQuicShare(service, after).equals(next)) {
      return Optional.of(
          "the change is more than "
              + service
              + "'s quic-share (expected: a guard changes one service's share only)");
    }
    if (before <= 0 || before >= 100) {
      return Optional.of(
          service
              + " has a quic-share of "
              + before
              + "% (expected: a guard changes a share between 0 and 100%)");
    }
    if (after < before) {
      return Optional.empty();
    }
    MigrationStrategy.Promote promote = now.guard().promote();
    if (!promote.enabled()) {
      return Optional.of(
          service
              + " quic-share "
              + before
              + "% to "
              + after
              + "% is no rollback, and promotion is off (expected: a lower share)");
    }
    if (after == before || after - before > promote.step()) {
      return Optional.of(
          service
              + " quic-share "
              + before
              + "% to "
              + after
              + "% (expected: lower, or higher by at most the promotion step of "
              + promote.step()
              + ")");
    }
    return Optional.empty();
  }
}
