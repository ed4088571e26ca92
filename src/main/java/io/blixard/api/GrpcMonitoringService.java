package io.blixard.api;

import io.blixard.monitoring.ClusterHealthSummary;
import io.blixard.monitoring.MetricsText;
import io.blixard.monitoring.MonitoringService;
import io.blixard.monitoring.SystemInfo;
import io.blixard.node.NodeId;
import io.blixard.proto.monitoring.v1.GetClusterHealthRequest;
import io.blixard.proto.monitoring.v1.GetClusterHealthResponse;
import io.blixard.proto.monitoring.v1.GetMetricsRequest;
import io.blixard.proto.monitoring.v1.GetMetricsResponse;
import io.blixard.proto.monitoring.v1.GetSystemInfoRequest;
import io.blixard.proto.monitoring.v1.GetSystemInfoResponse;
import io.blixard.proto.monitoring.v1.MonitoringServiceGrpc;
import io.grpc.stub.StreamObserver;
import org.springframework.grpc.server.service.GrpcService;

/** Serves {@link MonitoringService} as {@code blixard.monitoring.v1.MonitoringService}. */
@GrpcService
public class GrpcMonitoringService extends MonitoringServiceGrpc.MonitoringServiceImplBase {

  private final MonitoringService monitoring;

  public GrpcMonitoringService(MonitoringService monitoring) {
    this.monitoring = monitoring;
  }

  @Override
  public void getMetrics(GetMetricsRequest request, StreamObserver<GetMetricsResponse> observer) {
    GrpcErrors.unary(
        observer,
        () -> {
          MetricsText metrics = monitoring.metrics();
          return GetMetricsResponse.newBuilder()
              .setContentType(metrics.contentType())
              .setText(metrics.text())
              .build();
        });
  }

  @Override
  public void getSystemInfo(
      GetSystemInfoRequest request, StreamObserver<GetSystemInfoResponse> observer) {
    GrpcErrors.unary(observer, () -> toProto(monitoring.systemInfo()));
  }

  @Override
  public void getClusterHealth(
      GetClusterHealthRequest request, StreamObserver<GetClusterHealthResponse> observer) {
    GrpcErrors.unary(
        observer,
        () -> {
          ClusterHealthSummary health = monitoring.clusterHealth();
          GetClusterHealthResponse.Builder response =
              GetClusterHealthResponse.newBuilder()
                  .setNodesTotal(health.nodesTotal())
                  .setNodesHealthy(health.nodesHealthy())
                  .setLeaderPresent(health.leaderPresent())
                  .setLeaderId(health.leaderId().map(NodeId::value).orElse(""))
                  .setVoters(health.voters())
                  .setFailureTolerance(health.failureTolerance())
                  .setTerm(health.term())
                  .setCommitIndex(health.commitIndex())
                  .setReportedBy(health.reportedBy().value())
                  .setAppliedIndex(health.appliedIndex());
          health
              .sinceLeaderContact()
              .map(ProtoTime::duration)
              .ifPresent(response::setSinceLeaderContact);
          return response.build();
        });
  }

  private static GetSystemInfoResponse toProto(SystemInfo info) {
    return GetSystemInfoResponse.newBuilder()
        .setCpuCount(info.cpuCount())
        .setLoadAverage1M(info.loadAverage1m())
        .setProcessCpuUsage(info.processCpuUsage())
        .setSystemCpuUsage(info.systemCpuUsage())
        .setMemoryUsedBytes(info.memoryUsedBytes())
        .setMemoryTotalBytes(info.memoryTotalBytes())
        .setHeapUsedBytes(info.heapUsedBytes())
        .setHeapCommittedBytes(info.heapCommittedBytes())
        .setHeapMaxBytes(info.heapMaxBytes())
        .setDataDir(info.dataDir())
        .setDiskUsedBytes(info.diskUsedBytes())
        .setDiskTotalBytes(info.diskTotalBytes())
        .setDiskFreeBytes(info.diskFreeBytes())
        .setUptime(ProtoTime.duration(info.uptime()))
        .setOsName(info.osName())
        .setOsArch(info.osArch())
        .setJvmVersion(info.jvmVersion())
        .setThreadCount(info.threadCount())
        .build();
  }
}
