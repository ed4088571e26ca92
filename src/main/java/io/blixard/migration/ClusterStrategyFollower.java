package io.blixard.migration;

import io.blixard.cluster.StrategyHistory;
import io.blixard.proto.cluster.v1.StrategyChange;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the node follow the cluster's migration strategy: each version the registry applies from
 * the Raft log (or restores from a snapshot) becomes the node's, on every node at the same index. A
 * version this build cannot read is logged and skipped, and the node keeps the one before.
 */
public final class ClusterStrategyFollower {

  private static final Logger log = LoggerFactory.getLogger(ClusterStrategyFollower.class);

  private final MigrationStrategyHolder strategies;

  private ClusterStrategyFollower(MigrationStrategyHolder strategies) {
    this.strategies = strategies;
  }

  /** Starts following the cluster's strategy, from its current version on. */
  public static ClusterStrategyFollower follow(
      StrategyHistory history, MigrationStrategyHolder strategies) {
    ClusterStrategyFollower follower = new ClusterStrategyFollower(strategies);
    history.onNewVersion(follower::apply);
    return follower;
  }

  void apply(StrategyChange change) {
    MigrationStrategy strategy;
    try {
      strategy = StrategyProtos.parse(change.getStrategy().toByteArray());
    } catch (IllegalArgumentException e) {
      log.error(
          "Cluster strategy v{} by {} cannot be followed, keeping v{}: {}",
          change.getVersion(),
          change.getBy(),
          strategies.cluster().version(),
          e.getMessage());
      return;
    }
    strategies.followCluster(
        change.getVersion(),
        strategy,
        Instant.ofEpochMilli(change.getAtMillis()),
        change.getBy(),
        change.getChange());
  }
}
