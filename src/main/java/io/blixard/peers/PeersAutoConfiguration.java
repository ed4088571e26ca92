package io.blixard.peers;

import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.ClusterView;
import io.blixard.cluster.GuardWrites;
import io.blixard.cluster.MembershipClient;
import io.blixard.cluster.PeerProbes;
import io.blixard.cluster.StrategyHistory;
import io.blixard.migration.CanaryGuard;
import io.blixard.migration.MemberFigures;
import io.blixard.migration.MigrationAutoConfiguration;
import io.blixard.migration.MigrationStrategyHolder;
import io.blixard.node.NodeIdentity;
import io.blixard.rpc.TransportFigures;
import io.blixard.transport.grpc.GrpcChannelFactory;
import io.blixard.transport.grpc.GrpcClientAutoConfiguration;
import io.blixard.transport.quic.autoconfigure.QuicTransportAutoConfiguration;
import io.blixard.transport.quic.client.QuicConnectionPool;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Clock;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The node as a client of the other members: channels to them, membership calls, probes, and the
 * leader's canary guard, which collects their transport figures.
 */
@AutoConfiguration(
    afterName =
        "org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration",
    after = {
      MigrationAutoConfiguration.class,
      GrpcClientAutoConfiguration.class,
      QuicTransportAutoConfiguration.class
    })
public class PeersAutoConfiguration {

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  PeerChannels peerChannels(
      GrpcChannelFactory grpc,
      ObjectProvider<QuicConnectionPool> quic,
      ObjectProvider<ObservationRegistry> observations,
      ObjectProvider<TransportFigures> figures) {
    return new DefaultPeerChannels(
        grpc,
        quic.getIfAvailable(),
        observations.getIfAvailable(() -> ObservationRegistry.NOOP),
        figures.getIfAvailable());
  }

  @Bean
  @ConditionalOnMissingBean
  MembershipClient membershipClient(PeerChannels peerChannels) {
    return new RemoteMembershipClient(peerChannels);
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean({ClusterView.class, TransportFigures.class})
  MemberFigures memberFigures(
      ClusterView view, PeerChannels peerChannels, TransportFigures figures) {
    return new RemoteMemberFigures(view, peerChannels, figures);
  }

  /** The leader's canary guard, wherever the cluster's strategy and its writes are. */
  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean({StrategyHistory.class, GuardWrites.class, MemberFigures.class})
  CanaryGuard canaryGuard(
      ClusterView view,
      StrategyHistory history,
      MemberFigures figures,
      GuardWrites writes,
      ObjectProvider<Clock> clock,
      MeterRegistry meterRegistry) {
    return new CanaryGuard(
        view, history, figures, writes, clock.getIfAvailable(Clock::systemUTC), meterRegistry);
  }

  @Bean
  @ConditionalOnMissingBean
  @ConditionalOnBean({ClusterView.class, PeerProbes.class, NodeIdentity.class})
  PeerConnector peerConnector(
      ClusterView view,
      NodeIdentity identity,
      PeerChannels peerChannels,
      PeerProbes probes,
      MigrationStrategyHolder strategies,
      ClusterProperties clusterProperties) {
    return new PeerConnector(view, identity, peerChannels, probes, strategies, clusterProperties);
  }
}
