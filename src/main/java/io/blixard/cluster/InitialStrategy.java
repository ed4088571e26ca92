package io.blixard.cluster;

/**
 * The migration strategy a new cluster starts with, as the first node's bootstrap command carries
 * it: serialized by the layer that owns what a strategy means, stored by the registry as it is.
 */
@FunctionalInterface
public interface InitialStrategy {

  /** The strategy's bytes; empty for none. */
  byte[] serialized();
}
