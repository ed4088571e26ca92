package io.blixard.cluster;

import java.util.Optional;

/**
 * Which changes of the cluster's migration strategy a member's canary guard may make without an
 * operator: the migration layer's rule (the registry does not read strategies), which every node's
 * registry applies to the guard's commands alike, so that it must depend on its arguments only.
 */
@FunctionalInterface
public interface GuardChangeRule {

  /**
   * Why a guard may not change the strategy {@code current} into {@code proposed} for {@code
   * service}; empty when it may.
   *
   * @param current the cluster's strategy now, as the registry stores it
   * @param proposed the strategy the guard proposes, as the registry would store it
   */
  Optional<String> refusal(byte[] current, byte[] proposed, String service);
}
