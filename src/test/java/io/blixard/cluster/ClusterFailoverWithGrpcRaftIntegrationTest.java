package io.blixard.cluster;

/** The failover contract with Raft over Ratis's own gRPC transport, the default. */
class ClusterFailoverWithGrpcRaftIntegrationTest extends ClusterFailoverIntegrationTest {

  @Override
  String[] raftArgs() {
    return new String[0];
  }
}
