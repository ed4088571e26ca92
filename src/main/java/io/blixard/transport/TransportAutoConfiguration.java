package io.blixard.transport;

import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.MembershipClient;
import io.blixard.cluster.PeerProbes;
import io.blixard.cluster.RaftNode;
import io.blixard.health.NodeReadiness;
import io.blixard.node.NodeIdentity;
import io.grpc.BindableService;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * The parts every transport shares: the service catalogue, the standard health service that follows
 * readiness, and the transports health indicator.
 */
@AutoConfiguration
@EnableConfigurationProperties(TransportProperties.class)
public class TransportAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  HealthStatusManager grpcHealthStatusManager() {
    return new HealthStatusManager();
  }

  @Bean
  @ConditionalOnMissingBean
  ServiceCatalogue serviceCatalogue(
      ObjectProvider<BindableService> services, HealthStatusManager healthStatusManager) {
    List<BindableService> all = new ArrayList<>(services.orderedStream().toList());
    all.add(healthStatusManager.getHealthService());
    return new ServiceCatalogue(all);
  }

  @Bean
  @ConditionalOnMissingBean
  GrpcHealthStatusUpdater grpcHealthStatusUpdater(
      HealthStatusManager manager, NodeReadiness readiness, ServiceCatalogue catalogue) {
    return new GrpcHealthStatusUpdater(manager, readiness, catalogue);
  }

  @Bean
  @ConditionalOnMissingBean
  MigrationStrategyHolder migrationStrategyHolder(
      TransportProperties properties, MeterRegistry meterRegistry) {
    return new MigrationStrategyHolder(properties.strategy(), meterRegistry);
  }

  @Bean
  @ConditionalOnMissingBean
  TransportsEndpoint transportsEndpoint(
      TransportProperties properties,
      MigrationStrategyHolder strategies,
      ServiceCatalogue catalogue,
      MeterRegistry meterRegistry) {
    return new TransportsEndpoint(properties.mode(), strategies, catalogue, meterRegistry);
  }

  @Bean(destroyMethod = "close")
  @ConditionalOnMissingBean
  PeerChannels peerChannels(ObjectProvider<QuicPeerChannelFactory> quic) {
    return new DefaultPeerChannels(quic.getIfAvailable());
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

  @Bean
  HealthContributor transportsHealthContributor(
      TransportProperties properties, ObjectProvider<TransportListener> listeners) {
    return new TransportsHealthIndicator(properties.mode(), listeners.orderedStream().toList());
  }
}
