package io.blixard.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.support.TestNode;

/**
 * The backup and restore contract with Raft over Blixard RPC on QUIC: the restored group's leader
 * installs its snapshot on the joiner over QUIC.
 */
class SnapshotRestoreWithQuicRaftIntegrationTest extends SnapshotRestoreIntegrationTest {

  @Override
  String[] raftArgs() {
    return new String[] {"--blixard.transport.strategy.raft-transport=always-quic"};
  }

  @Override
  void caughtUpBySnapshot(TestNode joiner) {
    long installs = joiner.callsServed("quic", "blixard.raft.v1.RaftService", "InstallSnapshot");
    assertThat(installs).as("InstallSnapshot calls the joiner served over QUIC").isPositive();
  }
}
