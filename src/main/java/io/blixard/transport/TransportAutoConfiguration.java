package io.blixard.transport;

import io.grpc.BindableService;
import io.grpc.protobuf.services.HealthStatusManager;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/** The parts every transport shares: the service catalogue and the standard health service. */
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
    var all = new java.util.ArrayList<BindableService>(services.orderedStream().toList());
    all.add(healthStatusManager.getHealthService());
    return new ServiceCatalogue(all);
  }
}
