package io.blixard.cluster;

/** The failover contract with Raft over Blixard RPC on QUIC. */
class ClusterFailoverWithQuicRaftIntegrationTest extends ClusterFailoverIntegrationTest {

  @Override
  String[] raftArgs() {
    return new String[] {"--blixard.transport.strategy.raft-transport=always-quic"};
  }
}
