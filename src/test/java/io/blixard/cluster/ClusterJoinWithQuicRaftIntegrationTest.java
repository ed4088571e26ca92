package io.blixard.cluster;

/** The join and leave contract with Raft over Blixard RPC on QUIC. */
class ClusterJoinWithQuicRaftIntegrationTest extends ClusterJoinIntegrationTest {

  @Override
  String[] raftArgs() {
    return new String[] {"--blixard.transport.strategy.raft-transport=always-quic"};
  }
}
