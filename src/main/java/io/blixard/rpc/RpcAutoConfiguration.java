package io.blixard.rpc;

import io.blixard.health.NodeReadiness;
import io.grpc.BindableService;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.ArrayList;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;

/**
 * The services every transport serves: the catalogue of every {@link BindableService} bean, and the
 * standard {@code grpc.health.v1.Health} service that follows the node's readiness.
 */
@AutoConfiguration
public class RpcAutoConfiguration {

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
}
