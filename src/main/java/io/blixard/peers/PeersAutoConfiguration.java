package io.blixard.peers;

import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.MembershipClient;
import io.blixard.cluster.PeerProbes;
import io.blixard.cluster.RaftNode;
import io.blixard.migration.MigrationAutoConfiguration;
import io.blixard.migration.MigrationStrategyHolder;
import io.blixard.node.NodeIdentity;
import io.blixard.transport.grpc.GrpcChannelFactory;
import io.blixard.transport.grpc.GrpcClientAutoConfiguration;
import io.blixard.transport.quic.autoconfigure.QuicTransportAutoConfiguration;
import io.blixard.transport.quic.client.QuicConnectionPool;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/** The node as a client of the other members: channels to them, membership calls, probes. */
@AutoConfiguration(
    after = {
      MigrationAutoConfiguration.class,
      GrpcClientAutoConfiguration.class,
      QuicTransportAutoConfiguration.class
    })
public class PeersAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  PeerChannels peerChannels(GrpcChannelFactory grpc, ObjectProvider<QuicConnectionPool> quic) {
    return new DefaultPeerChannels(grpc, quic.getIfAvailable());
  }

  @Bean
  @ConditionalOnMissingBean
  MembershipClient membershipClient(PeerChannels peerChannels) {
    return new RemoteMembershipClient(peerChannels);
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean({RaftNode.class, PeerProbes.class, NodeIdentity.class})
  PeerConnector peerConnector(
      RaftNode raft,
      NodeIdentity identity,
      PeerChannels peerChannels,
      PeerProbes probes,
      MigrationStrategyHolder strategies,
      ClusterProperties clusterProperties) {
    return new PeerConnector(raft, identity, peerChannels, probes, strategies, clusterProperties);
  }
}
