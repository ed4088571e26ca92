package io.blixard.cluster;

/**
 * The join contract with the Raft router: Raft on Ratis's gRPC port and on QUIC, its traffic and
 * the Raft client sent over QUIC by the strategy's {@code raft-transport: always-quic}.
 */
class ClusterJoinWithRaftRouterIntegrationTest extends ClusterJoinIntegrationTest {

  @Override
  String[] raftArgs() {
    return new String[] {
      "--blixard.transport.quic.raft-router.enabled=true",
      "--blixard.transport.strategy.raft-transport=always-quic"
    };
  }
}
