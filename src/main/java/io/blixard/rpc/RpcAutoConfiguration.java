package io.blixard.rpc;

import io.blixard.health.NodeReadiness;
import io.grpc.BindableService;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.core.annotation.Order;
import org.springframework.grpc.autoconfigure.server.health.GrpcServerHealthAutoConfiguration;

/**
 * What every transport serves, and how: the catalogue of every {@link BindableService} bean
 * (including the gRPC starter's {@code grpc.health.v1.Health}, kept in step with readiness), and
 * the one server interceptor chain both servers apply, metrics first.
 */
@AutoConfiguration(
    after = GrpcServerHealthAutoConfiguration.class,
    afterName =
        "org.springframework.boot.actuate.autoconfigure.observation.ObservationAutoConfiguration")
public class RpcAutoConfiguration {

  @Bean
  @ConditionalOnMissingBean
  ServiceCatalogue serviceCatalogue(ObjectProvider<BindableService> services) {
    return new ServiceCatalogue(services.orderedStream().toList());
  }

  @Bean
  @ConditionalOnMissingBean
  ServerInterceptorChain serverInterceptorChain(ObjectProvider<RpcServerInterceptor> links) {
    return new ServerInterceptorChain(links.orderedStream().toList());
  }

  @Bean
  @Order(RpcServerInterceptor.METRICS_ORDER)
  RpcServerInterceptor rpcServerMetrics(ObservationRegistry observations) {
    return RpcServerMetrics.interceptor(observations);
  }

  @Bean
  RpcServerMetrics.ServiceLatencyHandler rpcServiceLatencyHandler(MeterRegistry meterRegistry) {
    return new RpcServerMetrics.ServiceLatencyHandler(meterRegistry);
  }

  @Bean
  RpcServerMetrics.MeterShape rpcServerMeterShape() {
    return new RpcServerMetrics.MeterShape();
  }

  @Bean
  @ConditionalOnBean(HealthStatusManager.class)
  @ConditionalOnMissingBean
  ReadinessHealthBridge readinessHealthBridge(
      HealthStatusManager manager, NodeReadiness readiness, ServiceCatalogue catalogue) {
    return new ReadinessHealthBridge(manager, readiness, catalogue);
  }
}
