package io.blixard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.google.protobuf.ByteString;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.health.v1.CheckRequest;
import io.blixard.proto.health.v1.CheckResponse;
import io.blixard.proto.health.v1.HealthCheck;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.proto.health.v1.HealthStatus;
import io.blixard.proto.health.v1.PingRequest;
import io.blixard.proto.health.v1.PingStreamRequest;
import io.blixard.proto.monitoring.v1.GetClusterHealthRequest;
import io.blixard.proto.monitoring.v1.GetMetricsRequest;
import io.blixard.proto.monitoring.v1.GetSystemInfoRequest;
import io.blixard.proto.monitoring.v1.MonitoringServiceGrpc;
import io.blixard.proto.status.v1.GetClusterStatusRequest;
import io.blixard.proto.status.v1.GetClusterStatusResponse;
import io.blixard.proto.status.v1.GetRaftStatusRequest;
import io.blixard.proto.status.v1.RaftRole;
import io.blixard.proto.status.v1.StatusServiceGrpc;
import io.blixard.support.Promtool;
import io.blixard.support.TestDirectories;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.ResponseEntity;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * A whole node on random ports with real Ratis in a temporary directory: every service over a real
 * gRPC port, the standard health and reflection services, and Actuator over HTTP.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureObservability
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class NodeIntegrationTest {

  static final Path dataDir = TestDirectories.newDataDir("blixard-node-it");

  @DynamicPropertySource
  static void properties(DynamicPropertyRegistry registry) {
    registry.add("blixard.node.data-dir", () -> dataDir.toString());
    registry.add("blixard.cluster.raft.port", () -> 0);
    registry.add("blixard.transport.grpc.port", () -> 0);
    registry.add("blixard.transport.mode", () -> "grpc");
  }

  @Autowired NodeEndpoints endpoints;
  @Autowired NodeIdentity identity;
  @Autowired TestRestTemplate http;

  private ManagedChannel channel;

  @BeforeAll
  void connect() {
    int port = endpoints.address(NodeEndpoints.Kind.GRPC).orElseThrow().getPort();
    channel = ManagedChannelBuilder.forAddress("127.0.0.1", port).usePlaintext().build();
    // Ready once Raft has a leader and the node has registered itself.
    await()
        .atMost(Duration.ofSeconds(30))
        .until(() -> grpcHealth("") == ServingStatus.SERVING && registeredNodes() == 1);
  }

  @AfterAll
  void disconnect() throws InterruptedException {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private ServingStatus grpcHealth(String service) {
    return HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(io.grpc.health.v1.HealthCheckRequest.newBuilder().setService(service).build())
        .getStatus();
  }

  private int registeredNodes() {
    return (int)
        status()
            .getClusterStatus(GetClusterStatusRequest.getDefaultInstance())
            .getNodesList()
            .stream()
            .filter(n -> n.hasJoinedAt())
            .count();
  }

  private StatusServiceGrpc.StatusServiceBlockingStub status() {
    return StatusServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  private HealthServiceGrpc.HealthServiceBlockingStub health() {
    return HealthServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  private MonitoringServiceGrpc.MonitoringServiceBlockingStub monitoring() {
    return MonitoringServiceGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  @Test
  void healthCheckListsRaftStorageAndPeersWithRealDetails() {
    CheckResponse response = health().check(CheckRequest.getDefaultInstance());
    assertThat(response.getStatus()).isEqualTo(HealthStatus.HEALTH_STATUS_UP);
    assertThat(response.getNodeId()).isEqualTo(identity.nodeId().value());
    assertThat(response.getChecksList())
        .extracting(HealthCheck::getName)
        .containsExactly("raft", "storage", "peers");
    Map<String, HealthCheck> checks =
        response.getChecksList().stream()
            .collect(java.util.stream.Collectors.toMap(HealthCheck::getName, c -> c));
    assertThat(checks.get("raft").getAttributesMap()).containsEntry("role", "LEADER");
    assertThat(checks.get("storage").getAttributesMap())
        .containsEntry("path", dataDir.toAbsolutePath().normalize().toString());
    assertThat(Long.parseLong(checks.get("storage").getAttributesMap().get("free_bytes")))
        .isPositive();
    assertThat(checks.get("peers").getDetail()).isEqualTo("single node, no peers");
  }

  @Test
  void pingEchoesThePayloadAndStreamsOnDemand() {
    var reply =
        health().ping(PingRequest.newBuilder().setPayload(ByteString.copyFromUtf8("hi")).build());
    assertThat(reply.getPayload().toStringUtf8()).isEqualTo("hi");
    assertThat(reply.getServerTime().getSeconds()).isPositive();

    var replies =
        health()
            .pingStream(
                PingStreamRequest.newBuilder()
                    .setCount(2000)
                    .setPayload(ByteString.copyFromUtf8("x"))
                    .build());
    int count = 0;
    while (replies.hasNext()) {
      assertThat(replies.next().getSequence()).isEqualTo(count++);
    }
    assertThat(count).isEqualTo(2000);

    assertThatThrownBy(
            () -> health().pingStream(PingStreamRequest.newBuilder().setCount(0).build()).next())
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("count: 0 (expected: 1 to 1000000)");
            });
  }

  @Test
  void clusterStatusShowsThisNodeAsLeaderWithItsAddresses() {
    GetClusterStatusResponse cluster =
        status().getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
    String self = identity.nodeId().value();
    assertThat(cluster.getLeaderId()).isEqualTo(self);
    assertThat(cluster.getReportedBy()).isEqualTo(self);
    assertThat(cluster.getTerm()).isPositive();
    assertThat(cluster.getNodesList())
        .singleElement()
        .satisfies(
            node -> {
              assertThat(node.getNodeId()).isEqualTo(self);
              assertThat(node.getRole()).isEqualTo(RaftRole.RAFT_ROLE_LEADER);
              assertThat(node.getVoter()).isTrue();
              assertThat(node.getGrpcAddress())
                  .isEqualTo(endpoints.hostAndPort(NodeEndpoints.Kind.GRPC));
              assertThat(node.getRaftAddress())
                  .isEqualTo(endpoints.hostAndPort(NodeEndpoints.Kind.RAFT));
              assertThat(node.getHttpAddress())
                  .isEqualTo(endpoints.hostAndPort(NodeEndpoints.Kind.HTTP));
              assertThat(node.hasLastContact()).isTrue();
              assertThat(node.hasJoinedAt()).isTrue();
            });
  }

  @Test
  void raftStatusReportsRoleTermAndIndices() {
    var raft = status().getRaftStatus(GetRaftStatusRequest.getDefaultInstance());
    assertThat(raft.getNodeId()).isEqualTo(identity.nodeId().value());
    assertThat(raft.getRole()).isEqualTo(RaftRole.RAFT_ROLE_LEADER);
    assertThat(raft.getLeaderId()).isEqualTo(raft.getNodeId());
    assertThat(raft.getCommitIndex()).isPositive();
    assertThat(raft.getAppliedIndex()).isLessThanOrEqualTo(raft.getCommitIndex());
    assertThat(raft.getLastLogIndex()).isGreaterThanOrEqualTo(raft.getCommitIndex());
    assertThat(raft.getFollowersList()).isEmpty();
  }

  @Test
  void systemInfoHoldsRealReadings() {
    var info = monitoring().getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
    var os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
    assertThat(info.getCpuCount()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(info.getMemoryTotalBytes())
        .isEqualTo(((com.sun.management.OperatingSystemMXBean) os).getTotalMemorySize());
    assertThat(info.getMemoryUsedBytes()).isBetween(1L, info.getMemoryTotalBytes());
    assertThat(info.getHeapUsedBytes())
        .isPositive()
        .isLessThanOrEqualTo(info.getHeapCommittedBytes());
    assertThat(info.getDiskTotalBytes()).isPositive();
    assertThat(info.getDiskUsedBytes() + info.getDiskFreeBytes())
        .isLessThanOrEqualTo(info.getDiskTotalBytes());
    assertThat(info.getDataDir()).isEqualTo(dataDir.toAbsolutePath().normalize().toString());
    assertThat(info.getUptime().getSeconds() * 1000 + info.getUptime().getNanos() / 1_000_000)
        .isPositive();
    assertThat(info.getLoadAverage1M()).isGreaterThanOrEqualTo(0);
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

  @Test
  void metricsOverGrpcAreThePrometheusExpositionAndParse() throws Exception {
    health().ping(PingRequest.getDefaultInstance());
    var metrics = monitoring().getMetrics(GetMetricsRequest.getDefaultInstance());
    assertThat(metrics.getContentType()).startsWith("text/plain");
    assertThat(metrics.getText())
        .contains("blixard_raft_term")
        .contains("blixard_raft_commit_index")
        .contains("blixard_raft_leader_changes_total")
        .contains("blixard_raft_role{")
        .containsPattern(
            "blixard_rpc_server_seconds_count\\{[^}]*method=\"Ping\",[^}]*service=\"blixard.health.v1.HealthService\",status=\"OK\",transport=\"grpc\"\\}");
    Promtool.assertValid(metrics.getText());
  }

  @Test
  void standardHealthServiceAnswersServingForTheServerAndEachService() {
    assertThat(grpcHealth("")).isEqualTo(ServingStatus.SERVING);
    assertThat(grpcHealth("blixard.health.v1.HealthService")).isEqualTo(ServingStatus.SERVING);
    assertThat(grpcHealth("blixard.status.v1.StatusService")).isEqualTo(ServingStatus.SERVING);
    assertThatThrownBy(() -> grpcHealth("no.such.Service"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.NOT_FOUND));
  }

  @Test
  void reflectionListsEveryService() throws Exception {
    CompletableFuture<List<String>> names = new CompletableFuture<>();
    var requests =
        ServerReflectionGrpc.newStub(channel)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse value) {
                    names.complete(
                        value.getListServicesResponse().getServiceList().stream()
                            .map(ServiceResponse::getName)
                            .toList());
                  }

                  @Override
                  public void onError(Throwable t) {
                    names.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    assertThat(names.get(10, TimeUnit.SECONDS))
        .contains(
            "blixard.health.v1.HealthService",
            "blixard.status.v1.StatusService",
            "blixard.monitoring.v1.MonitoringService",
            "grpc.health.v1.Health",
            "grpc.reflection.v1.ServerReflection");
    requests.onCompleted();
  }

  @Test
  void actuatorHealthIsUpWithEveryIndicatorAndProbeGroups() {
    ResponseEntity<Map> health = http.getForEntity("/actuator/health", Map.class);
    assertThat(health.getStatusCode().value()).isEqualTo(200);
    assertThat(health.getBody()).containsEntry("status", "UP");
    assertThat((Map<String, Object>) health.getBody().get("components"))
        .containsKeys("raft", "storage", "peers", "transports", "livenessState", "readinessState");
    assertThat(http.getForEntity("/actuator/health/liveness", Map.class).getBody())
        .containsEntry("status", "UP");
    Map<String, Object> readiness =
        http.getForEntity("/actuator/health/readiness", Map.class).getBody();
    assertThat(readiness).containsEntry("status", "UP");
    assertThat((Map<String, Object>) readiness.get("components"))
        .containsKeys("raft", "readinessState");
  }

  @Test
  void actuatorPrometheusCarriesRaftAndPerCallMetricsAndParses() throws Exception {
    health().check(CheckRequest.getDefaultInstance());
    String text = http.getForObject("/actuator/prometheus", String.class);
    assertThat(text)
        .contains("blixard_raft_applied_index")
        .contains("blixard_raft_leader_present")
        .containsPattern("blixard_rpc_server_seconds_count\\{[^}]*method=\"Check\"");
    Promtool.assertValid(text);
  }

  private String[] cli(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    var commandLine = io.blixard.cli.BlixardCliAccess.commandLine();
    commandLine.setOut(new java.io.PrintWriter(out));
    commandLine.setErr(new java.io.PrintWriter(err));
    int code = commandLine.execute(args);
    return new String[] {Integer.toString(code), out.toString(), err.toString()};
  }

  private String node() {
    return "127.0.0.1:" + endpoints.address(NodeEndpoints.Kind.GRPC).orElseThrow().getPort();
  }

  @Test
  void cliPrintsTablesForPeopleAndJsonForScripts() {
    String[] health = cli("health", "--node", node());
    assertThat(health[0]).isEqualTo("0");
    assertThat(health[1])
        .contains("status  UP")
        .containsPattern("raft +UP +leader of a group of 1")
        .containsPattern("storage +UP")
        .containsPattern("peers +UP +single node, no peers");

    String[] status = cli("status", "--node", node(), "--json");
    assertThat(status[0]).isEqualTo("0");
    assertThat(status[1]).contains("\"leaderId\": \"" + identity.nodeId().value() + "\"");

    for (String command : List.of("raft", "metrics", "sysinfo", "cluster-health", "ping")) {
      String[] result = cli(command, "--node", node());
      assertThat(result[0]).as(command + ": " + result[2]).isEqualTo("0");
      assertThat(result[1]).as(command).isNotBlank();
    }
  }

  @Test
  void cliReportsAnUnreachableNodeInOneLineWithExitCode3() throws Exception {
    int closedPort;
    try (var socket = new java.net.ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String[] result = cli("health", "--node", "127.0.0.1:" + closedPort, "--timeout", "2s");
    assertThat(result[0]).isEqualTo("3");
    assertThat(result[2].strip())
        .startsWith("blixard: cannot reach node 127.0.0.1:" + closedPort + ": UNAVAILABLE")
        .doesNotContain("\n");
  }

  @Test
  void cliRejectsABadNodeAddress() {
    String[] result = cli("health", "--node", "no-port");
    assertThat(result[0]).isEqualTo("2");
    assertThat(result[2]).contains("--node no-port (expected: host:port)");
  }
}
