package io.blixard.cluster;

/** The backup and restore contract with Raft over Ratis's own gRPC transport, the default. */
class SnapshotRestoreWithGrpcRaftIntegrationTest extends SnapshotRestoreIntegrationTest {

  @Override
  String[] raftArgs() {
    return new String[0];
  }
}
