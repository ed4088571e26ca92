package io.blixard.migration;

import io.blixard.cluster.GuardChangeRule;
import io.blixard.cluster.InitialStrategy;
import io.blixard.cluster.StrategyHistory;
import io.blixard.rpc.RpcAutoConfiguration;
import io.blixard.rpc.RpcServerInterceptor;
import io.blixard.rpc.ServiceCatalogue;
import io.blixard.transport.TransportAutoConfiguration;
import io.blixard.transport.TransportProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.autoconfigure.security.servlet.EndpointRequest;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.web.servlet.FilterRegistrationBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;

/**
 * The migration strategy: the cluster's, replicated through Raft, with {@code
 * blixard.transport.strategy} as a new cluster's first; overridden on one node through {@code
 * /actuator/transports}.
 */
@AutoConfiguration(after = {TransportAutoConfiguration.class, RpcAutoConfiguration.class})
@EnableConfigurationProperties(MigrationStrategy.class)
public class MigrationAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  MigrationStrategyHolder migrationStrategyHolder(
      MigrationStrategy configured, MeterRegistry meterRegistry) {
    return new MigrationStrategyHolder(configured, meterRegistry);
  }

  /** The node follows the cluster's strategy wherever the cluster's registry runs. */
  @Bean
  @ConditionalOnBean(StrategyHistory.class)
  ClusterStrategyFollower clusterStrategyFollower(
      StrategyHistory history, MigrationStrategyHolder strategies) {
    return ClusterStrategyFollower.follow(history, strategies);
  }

  /** The rule the registry applies to a canary guard's changes of the cluster's strategy. */
  @Bean
  @ConditionalOnMissingBean
  GuardChangeRule guardChangeRule() {
    return new GuardChanges();
  }

  /** A new cluster starts with the strategy of its first node's configuration. */
  @Bean
  InitialStrategy initialStrategy(MigrationStrategyHolder strategies) {
    return () -> StrategyProtos.toProto(strategies.configured()).toByteArray();
  }

  /** The served-on check, a link of the server interceptor chain both transports apply. */
  @Bean
  @Order(RpcServerInterceptor.SERVED_ON_ORDER)
  RpcServerInterceptor servedOnInterceptor(MigrationStrategyHolder strategies) {
    return transport -> new ServedOnInterceptor(strategies, transport);
  }

  @Bean
  @ConditionalOnMissingBean
  TransportsEndpoint transportsEndpoint(
      TransportProperties properties,
      MigrationStrategyHolder strategies,
      ServiceCatalogue catalogue,
      MeterRegistry meterRegistry,
      ObjectProvider<RaftPeerTransports> raftPeers) {
    return new TransportsEndpoint(
        properties.mode(), strategies, catalogue, meterRegistry, raftPeers::getIfAvailable);
  }

  /** Strict JSON for the endpoint's writes, where the node serves HTTP. */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
  static class StrictJsonConfiguration {

    @Bean
    FilterRegistrationBean<StrictJsonFilter> transportsStrictJsonFilter() {
      FilterRegistrationBean<StrictJsonFilter> registration =
          new FilterRegistrationBean<>(
              new StrictJsonFilter(
                  EndpointRequest.to(TransportsEndpoint.class), TransportsEndpoint.WRITE_FIELDS));
      // After Spring Security's filters: a caller who may not write is refused before its body is
      // read.
      registration.setOrder(Ordered.LOWEST_PRECEDENCE);
      return registration;
    }
  }
}
