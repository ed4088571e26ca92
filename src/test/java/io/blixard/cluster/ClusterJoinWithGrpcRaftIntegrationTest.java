package io.blixard.cluster;

/** The join and leave contract with Raft over Ratis's own gRPC transport, the default. */
class ClusterJoinWithGrpcRaftIntegrationTest extends ClusterJoinIntegrationTest {

  @Override
  String[] raftArgs() {
    return new String[0];
  }
}
