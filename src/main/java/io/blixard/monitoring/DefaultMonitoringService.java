package io.blixard.monitoring;

import io.blixard.cluster.ClusterView;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.RegisteredNode;
import io.blixard.node.DataDirectory;
import io.blixard.node.NodeId;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * Reads metrics from Micrometer's Prometheus registry and machine readings from the JVM's MXBeans.
 */
@Service
public class DefaultMonitoringService implements MonitoringService {

  static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final ObjectProvider<PrometheusMeterRegistry> prometheus;
  private final ClusterView view;
  private final DataDirectory dataDirectory;

  public DefaultMonitoringService(
      ObjectProvider<PrometheusMeterRegistry> prometheus,
      ClusterView view,
      DataDirectory dataDirectory) {
    this.prometheus = prometheus;
    this.view = view;
    this.dataDirectory = dataDirectory;
    // The JDK measures CPU load between two calls; the first call has nothing to compare with and
    // answers 0. Take it now so the first GetSystemInfo reports real usage.
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean sun) {
      sun.getProcessCpuLoad();
      sun.getCpuLoad();
    }
  }

  @Override
  public MetricsText metrics() {
    PrometheusMeterRegistry registry = prometheus.getIfAvailable();
    if (registry == null) {
      throw new IllegalStateException(
          "Prometheus export is turned off on this node"
              + " (expected: management.prometheus.metrics.export.enabled=true)");
    }
    return new MetricsText(PROMETHEUS_TEXT, registry.scrape());
  }

  @Override
  public SystemInfo systemInfo() {
    var os = ManagementFactory.getOperatingSystemMXBean();
    var heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
    long memoryTotal = -1;
    long memoryFree = -1;
    double processCpu = -1;
    double systemCpu = -1;
    if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
      memoryTotal = sun.getTotalMemorySize();
      memoryFree = sun.getFreeMemorySize();
      processCpu = sun.getProcessCpuLoad();
      systemCpu = sun.getCpuLoad();
    }
    FileStore store;
    long diskTotal;
    long diskFree;
    try {
      store = Files.getFileStore(dataDirectory.root());
      diskTotal = store.getTotalSpace();
      diskFree = store.getUsableSpace();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the file system of " + dataDirectory, e);
    }
    var runtime = ManagementFactory.getRuntimeMXBean();
    return new SystemInfo(
        os.getAvailableProcessors(),
        os.getSystemLoadAverage(),
        processCpu,
        systemCpu,
        memoryTotal < 0 ? 0 : memoryTotal - memoryFree,
        Math.max(0, memoryTotal),
        heap.getUsed(),
        heap.getCommitted(),
        maxOrZero(heap),
        dataDirectory.root().toString(),
        diskTotal - diskFree,
        diskTotal,
        diskFree,
        Duration.ofMillis(runtime.getUptime()),
        os.getName(),
        os.getArch(),
        Runtime.version().toString(),
        ManagementFactory.getThreadMXBean().getThreadCount());
  }

  private static long maxOrZero(MemoryUsage usage) {
    return Math.max(0, usage.getMax());
  }

  /**
   * {@inheritDoc}
   *
   * <p>The failure tolerance is what is left now, not what the group's size allows: voters this
   * node reaches beyond a majority, never more than the size allows, and zero while this node is
   * not in touch with a quorum.
   */
  @Override
  public ClusterHealthSummary clusterHealth() {
    RaftState state = view.requireState();
    Instant now = Instant.now();
    Set<NodeId> all = new HashSet<>();
    state.members().forEach(m -> all.add(m.nodeId()));
    view.registry().stream().map(RegisteredNode::nodeId).forEach(all::add);
    int healthy =
        (int)
            state.members().stream()
                .filter(m -> view.contact(state, m.nodeId(), now).reachable())
                .count();
    long reachableVoters =
        state.members().stream()
            .filter(m -> m.voter() && view.contact(state, m.nodeId(), now).reachable())
            .count();
    Optional<String> quorumProblem = state.quorumProblem(now, view.peerTimeout());
    long majority = state.voters() / 2 + 1;
    long tolerance =
        quorumProblem.isPresent()
            ? 0
            : Math.max(0, Math.min(state.failureTolerance(), reachableVoters - majority));
    return new ClusterHealthSummary(
        all.size(),
        healthy,
        state.leaderId().isPresent(),
        state.leaderId(),
        (int) state.voters(),
        (int) tolerance,
        state.term(),
        state.commitIndex(),
        state.nodeId(),
        state.appliedIndex(),
        state.sinceLeaderContact(now),
        quorumProblem);
  }
}
