package io.blixard.rpc;

import io.blixard.health.NodeReadiness;
import io.blixard.node.NodeIdentity;
import io.blixard.security.AccessPolicy;
import io.blixard.security.ClusterRoles;
import io.blixard.security.NodeAuthorities;
import io.blixard.security.SecurityProperties;
import io.grpc.BindableService;
import io.grpc.protobuf.services.HealthStatusManager;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.grpc.autoconfigure.server.health.GrpcServerHealthAutoConfiguration;
import org.springframework.security.authentication.AuthenticationManager;

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

  /**
   * Authorization by the caller's certificate, inside metrics (refusals are measured) and before
   * the served-on check (a stranger learns nothing of the strategy). Secure mode only.
   */
  @Configuration(proxyBeanMethods = false)
  @ConditionalOnProperty(
      name = "blixard.security.mode",
      havingValue = "secure",
      matchIfMissing = true)
  static class AuthorizationConfiguration {

    @Bean
    @Order(RpcServerInterceptor.AUTHORIZATION_ORDER)
    RpcServerInterceptor rpcAuthorization(
        ClusterRoles roles,
        NodeIdentity identity,
        Environment environment,
        MeterRegistry meterRegistry) {
      SecurityProperties.ReadAccess readAccess =
          Binder.get(environment)
              .bind("blixard.security.read-access", SecurityProperties.ReadAccess.class)
              .orElse(SecurityProperties.ReadAccess.MEMBERS);
      AccessPolicy policy = AccessPolicy.standard(readAccess);
      AuthenticationManager authentication = new NodeAuthorities(roles).authenticationManager();
      return transport ->
          new AuthorizationInterceptor(
              policy, authentication, identity.nodeId(), transport, meterRegistry);
    }
  }

  @Bean
  @ConditionalOnProperty(name = "blixard.security.mode", havingValue = "insecure")
  Object insecureModeWarning() {
    LoggerFactory.getLogger(RpcAutoConfiguration.class)
        .warn(
            "blixard.security.mode=insecure: plaintext gRPC and Raft, no client certificates and"
                + " no authorization. Anyone who reaches this node's ports can change the cluster;"
                + " use it on a trusted machine only");
    return new Object();
  }

  @Bean
  RpcServerMetrics.ServiceLatencyHandler rpcServiceLatencyHandler(MeterRegistry meterRegistry) {
    return new RpcServerMetrics.ServiceLatencyHandler(meterRegistry);
  }

  @Bean
  @ConditionalOnMissingBean
  TransportFigures transportFigures() {
    return new TransportFigures();
  }

  @Bean
  TransportFigures.ServerRecorder transportFiguresServerRecorder(TransportFigures figures) {
    return new TransportFigures.ServerRecorder(figures);
  }

  @Bean
  RpcServerMetrics.MeterShape rpcServerMeterShape() {
    return new RpcServerMetrics.MeterShape();
  }

  @Bean
  RpcClientObservations.MetricsOff rpcClientObservationMeters() {
    return new RpcClientObservations.MetricsOff();
  }

  @Bean
  @ConditionalOnBean(HealthStatusManager.class)
  @ConditionalOnMissingBean
  ReadinessHealthBridge readinessHealthBridge(
      HealthStatusManager manager, NodeReadiness readiness, ServiceCatalogue catalogue) {
    return new ReadinessHealthBridge(manager, readiness, catalogue);
  }
}
