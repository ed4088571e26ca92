package io.blixard.transport.quic.autoconfigure;

import io.blixard.cluster.ClusterView;
import io.blixard.cluster.RegisteredNode;
import io.blixard.transport.quic.client.QuicConnectionPool;
import io.blixard.transport.quic.raft.QuicRaftEndpoint;
import io.blixard.transport.quic.raft.QuicRaftService;
import io.blixard.transport.quic.server.QuicRpcServer;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * What Raft over QUIC needs on this node whether Raft runs on QUIC alone or through the router: the
 * endpoint the Ratis RPCs and the {@code blixard.raft.v1} service share, and the service. Not a
 * configuration of its own: imported by the configuration that is on.
 */
class QuicRaftServiceBeans {

  @Bean
  @ConditionalOnMissingBean
  QuicRaftEndpoint quicRaftEndpoint(
      QuicConnectionPool pool,
      ObjectProvider<QuicRpcServer> server,
      ObjectProvider<ClusterView> cluster,
      MeterRegistry meterRegistry) {
    return new QuicRaftEndpoint(
        pool,
        () -> Optional.ofNullable(server.getIfAvailable()).flatMap(QuicRpcServer::localAddress),
        id ->
            Optional.ofNullable(cluster.getIfAvailable()).stream()
                .flatMap(view -> view.registry().stream())
                .filter(node -> node.nodeId().equals(id))
                .map(RegisteredNode::quicAddress)
                .filter(address -> address != null && !address.isBlank())
                .findFirst(),
        meterRegistry);
  }

  @Bean
  @ConditionalOnMissingBean
  QuicRaftService quicRaftService(QuicRaftEndpoint endpoint) {
    return new QuicRaftService(endpoint);
  }
}
