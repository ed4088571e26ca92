package io.blixard.monitoring;

/** The node's metrics, machine readings and a cluster health summary. */
public interface MonitoringService {

  /**
   * The node's metrics in the Prometheus text format, the same as {@code /actuator/prometheus}.
   *
   * @throws IllegalStateException when the Prometheus registry is turned off
   */
  MetricsText metrics();

  /** Readings taken from the operating system and the JVM now. */
  SystemInfo systemInfo();

  /**
   * Members, leader and failure tolerance.
   *
   * @throws io.blixard.cluster.ClusterUnavailableException when Raft is not running
   */
  ClusterHealthSummary clusterHealth();
}
