package io.blixard.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.monitoring.ClusterHealthSummary;
import io.blixard.monitoring.MetricsText;
import io.blixard.monitoring.MonitoringService;
import io.blixard.monitoring.SystemInfo;
import io.blixard.node.NodeId;
import io.blixard.proto.monitoring.v1.GetClusterHealthRequest;
import io.blixard.proto.monitoring.v1.GetMetricsRequest;
import io.blixard.proto.monitoring.v1.GetSystemInfoRequest;
import io.blixard.proto.monitoring.v1.MonitoringServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GrpcMonitoringServiceTest {

  static final NodeId LEADER = NodeId.ofSubjectPublicKeyInfo(new byte[] {9});

  private boolean prometheusOn = true;

  private final MonitoringService domain =
      new MonitoringService() {
        @Override
        public MetricsText metrics() {
          if (!prometheusOn) {
            throw new IllegalStateException("Prometheus export is turned off on this node");
          }
          return new MetricsText("text/plain; version=0.0.4", "up 1\n");
        }

        @Override
        public SystemInfo systemInfo() {
          return new SystemInfo(
              2,
              0.5,
              0.1,
              0.2,
              100,
              200,
              10,
              20,
              30,
              "/data",
              40,
              50,
              10,
              Duration.ofMillis(1500),
              "Linux",
              "amd64",
              "17",
              33);
        }

        @Override
        public ClusterHealthSummary clusterHealth() {
          return new ClusterHealthSummary(
              3,
              2,
              true,
              Optional.of(LEADER),
              3,
              1,
              4,
              99,
              LEADER,
              98,
              Optional.empty(),
              Optional.empty());
        }
      };

  private final InProcessGrpc grpc = new InProcessGrpc(new GrpcMonitoringService(domain));
  private final MonitoringServiceGrpc.MonitoringServiceBlockingStub stub =
      MonitoringServiceGrpc.newBlockingStub(grpc.channel);

  @AfterEach
  void close() throws InterruptedException {
    grpc.close();
  }

  @Test
  void metricsAreReturnedAsText() {
    var response = stub.getMetrics(GetMetricsRequest.getDefaultInstance());
    assertThat(response.getContentType()).isEqualTo("text/plain; version=0.0.4");
    assertThat(response.getText()).isEqualTo("up 1\n");
  }

  @Test
  void metricsTurnedOffIsFailedPreconditionWithTheReason() {
    prometheusOn = false;
    assertThatThrownBy(() -> stub.getMetrics(GetMetricsRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.FAILED_PRECONDITION);
              assertThat(e.getStatus().getDescription())
                  .contains("Prometheus export is turned off");
            });
  }

  @Test
  void systemInfoConvertsEveryReading() {
    var info = stub.getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
    assertThat(info.getCpuCount()).isEqualTo(2);
    assertThat(info.getLoadAverage1M()).isEqualTo(0.5);
    assertThat(info.getHeapMaxBytes()).isEqualTo(30);
    assertThat(info.getDiskFreeBytes()).isEqualTo(10);
    assertThat(info.getUptime().getSeconds()).isEqualTo(1);
    assertThat(info.getUptime().getNanos()).isEqualTo(500_000_000);
    assertThat(info.getThreadCount()).isEqualTo(33);
  }

  @Test
  void clusterHealthConvertsTheSummary() {
    var health = stub.getClusterHealth(GetClusterHealthRequest.getDefaultInstance());
    assertThat(health.getNodesTotal()).isEqualTo(3);
    assertThat(health.getNodesHealthy()).isEqualTo(2);
    assertThat(health.getLeaderId()).isEqualTo(LEADER.value());
    assertThat(health.getFailureTolerance()).isEqualTo(1);
    assertThat(health.getCommitIndex()).isEqualTo(99);
  }
}
