package io.blixard.rpc;

import io.blixard.health.NodeReadiness;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.scheduling.annotation.Scheduled;

/**
 * Sets the gRPC starter's {@link HealthStatusManager} from the node's readiness: the whole server
 * ({@code ""}) and every service of the catalogue are SERVING only while the node is ready. The
 * starter's own updater follows Actuator health indicators, each under its own name; clients of
 * {@code grpc.health.v1} here ask by service name, so this sets those names.
 */
public class ReadinessHealthBridge {

  private static final Logger log = LoggerFactory.getLogger(ReadinessHealthBridge.class);

  private final HealthStatusManager manager;
  private final NodeReadiness readiness;
  private final ServiceCatalogue catalogue;
  private final AtomicReference<ServingStatus> current = new AtomicReference<>();

  public ReadinessHealthBridge(
      HealthStatusManager manager, NodeReadiness readiness, ServiceCatalogue catalogue) {
    this.manager = manager;
    this.readiness = readiness;
    this.catalogue = catalogue;
    set(ServingStatus.NOT_SERVING);
  }

  @Scheduled(fixedDelay = 1000)
  public void refresh() {
    set(readiness.isReady() ? ServingStatus.SERVING : ServingStatus.NOT_SERVING);
  }

  private void set(ServingStatus status) {
    if (current.getAndSet(status) == status) {
      return;
    }
    manager.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
    catalogue.serviceNames().forEach(name -> manager.setStatus(name, status));
    log.info("gRPC health status is now {}", status);
  }
}
