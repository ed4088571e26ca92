package io.blixard.cluster;

import io.blixard.proto.cluster.v1.StrategyChange;
import java.util.List;
import java.util.function.Consumer;

/**
 * The cluster's migration strategy as replicated state: its versions as this node applied them from
 * the Raft log. The registry keeps each strategy as the migration layer serialized it.
 */
public interface StrategyHistory {

  /** The most recent versions, oldest first; empty before the cluster has a strategy. */
  List<StrategyChange> versions();

  /**
   * Calls {@code listener} with each new version as it is applied (or restored from a snapshot), on
   * the applying thread, and at once with the current one if there is one.
   */
  void onNewVersion(Consumer<StrategyChange> listener);
}
