package io.blixard.cli;

import io.blixard.migration.MigrationStrategy;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.transport.v1.TransportServiceGrpc;

/** Test access to {@link StrategyCommand#propose}, which tests of other packages drive directly. */
public final class StrategyCommandAccess {

  private StrategyCommandAccess() {}

  public static long propose(
      TransportServiceGrpc.TransportServiceBlockingStub stub,
      NodeIdentity operator,
      MigrationStrategy strategy,
      String change,
      String reason,
      long baseVersion) {
    return StrategyCommand.propose(stub, operator, strategy, change, reason, baseVersion);
  }
}
