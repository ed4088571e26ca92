package io.blixard.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.proto.health.v1.PingRequest;
import io.blixard.proto.monitoring.v1.GetClusterHealthRequest;
import io.blixard.proto.monitoring.v1.GetMetricsRequest;
import io.blixard.proto.monitoring.v1.GetSystemInfoRequest;
import io.blixard.proto.monitoring.v1.MonitoringServiceGrpc;
import io.blixard.support.Promtool;
import io.blixard.support.SingleNodeTestSupport;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code blixard.monitoring.v1.MonitoringService}: the same answers over every transport. */
public abstract class MonitoringContractTest extends SingleNodeTestSupport {

  private MonitoringServiceGrpc.MonitoringServiceBlockingStub monitoring() {
    return MonitoringServiceGrpc.newBlockingStub(channel()).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  @Test
  void metricsAreThePrometheusExpositionWithThisTransportsCallsAndParse() throws Exception {
    HealthServiceGrpc.newBlockingStub(channel())
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .ping(PingRequest.getDefaultInstance());
    // A call is recorded when the server sees it complete, which may be after the client's answer.
    var metrics =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> monitoring().getMetrics(GetMetricsRequest.getDefaultInstance()),
                m -> m.getText().contains("method=\"Ping\""));
    assertThat(metrics.getContentType()).startsWith("text/plain");
    assertThat(metrics.getText())
        .contains("blixard_raft_term")
        .contains("blixard_raft_commit_index")
        .contains("blixard_raft_leader_changes_total")
        .contains("blixard_raft_role{")
        .containsPattern(
            "blixard_rpc_server_seconds_count\\{[^}]*method=\"Ping\",[^}]*"
                + "service=\"blixard.health.v1.HealthService\",status=\"OK\",transport=\""
                + transport().tag()
                + "\"\\}");
    Promtool.assertValid(metrics.getText());
  }

  @Test
  void systemInfoHoldsRealReadings() {
    var info = monitoring().getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    assertThat(info.getCpuCount()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(info.getMemoryTotalBytes()).isEqualTo(os.getTotalMemorySize());
    assertThat(info.getMemoryUsedBytes()).isBetween(1L, info.getMemoryTotalBytes());
    assertThat(info.getHeapUsedBytes())
        .isPositive()
        .isLessThanOrEqualTo(info.getHeapCommittedBytes());
    assertThat(info.getDiskTotalBytes()).isPositive();
    assertThat(info.getDiskUsedBytes() + info.getDiskFreeBytes())
        .isLessThanOrEqualTo(info.getDiskTotalBytes());
    assertThat(info.getDataDir()).isEqualTo(DATA_DIR.toAbsolutePath().normalize().toString());
    assertThat(info.getUptime().getSeconds() * 1000 + info.getUptime().getNanos() / 1_000_000)
        .isPositive();
    assertThat(info.getLoadAverage1M()).isGreaterThanOrEqualTo(0);
    assertThat(info.getProcessCpuUsage()).isBetween(0.0, 1.0);
    assertThat(info.getThreadCount()).isPositive();
    assertThat(info.getJvmVersion()).isEqualTo(Runtime.version().toString());
  }

  @Test
  void clusterHealthOfASingleNode() {
    var cluster = monitoring().getClusterHealth(GetClusterHealthRequest.getDefaultInstance());
    assertThat(cluster.getNodesTotal()).isEqualTo(1);
    assertThat(cluster.getNodesHealthy()).isEqualTo(1);
    assertThat(cluster.getLeaderPresent()).isTrue();
    assertThat(cluster.getLeaderId()).isEqualTo(identity.nodeId().value());
    assertThat(cluster.getVoters()).isEqualTo(1);
    assertThat(cluster.getFailureTolerance()).isZero();
    assertThat(cluster.getCommitIndex()).isPositive();
  }
}
