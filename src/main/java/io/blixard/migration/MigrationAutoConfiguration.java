package io.blixard.migration;

import io.blixard.rpc.RpcAutoConfiguration;
import io.blixard.rpc.RpcServerInterceptor;
import io.blixard.rpc.ServiceCatalogue;
import io.blixard.transport.TransportAutoConfiguration;
import io.blixard.transport.TransportProperties;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;

/**
 * The migration strategy: configured in {@code blixard.transport.strategy}, held for the run, read
 * and changed through {@code /actuator/transports}.
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
      MeterRegistry meterRegistry) {
    return new TransportsEndpoint(properties.mode(), strategies, catalogue, meterRegistry);
  }
}
