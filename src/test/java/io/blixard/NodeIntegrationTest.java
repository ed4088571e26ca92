package io.blixard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.blixard.cli.BlixardCliAccess;
import io.blixard.node.NodeEndpoints;
import io.blixard.proto.health.v1.CheckRequest;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.support.Promtool;
import io.blixard.support.SingleNodeTestSupport;
import io.blixard.transport.Transport;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.web.client.TestRestTemplate;
import org.springframework.http.ResponseEntity;

/**
 * The node beyond its service contracts (those are in {@code io.blixard.contract}): gRPC
 * reflection, Actuator over HTTP, and the command line against the running node.
 */
class NodeIntegrationTest extends SingleNodeTestSupport {

  @Autowired TestRestTemplate http;
  @Autowired org.springframework.boot.actuate.health.HttpCodeStatusMapper statusMapper;

  @Override
  protected Transport transport() {
    return Transport.GRPC;
  }

  @Test
  void reflectionListsEveryService() throws Exception {
    CompletableFuture<List<String>> names = new CompletableFuture<>();
    var requests =
        ServerReflectionGrpc.newStub(channel())
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
  @SuppressWarnings("unchecked")
  void actuatorHealthIsUpWithEveryIndicatorAndProbeGroups() {
    // The checks' details are for operators; the status is for anyone (see ActuatorSecurityTest).
    ResponseEntity<Map> health = operatorGet("/actuator/health", Map.class);
    assertThat(health.getStatusCode().value()).isEqualTo(200);
    assertThat(health.getBody()).containsEntry("status", "UP");
    Map<String, Object> components = (Map<String, Object>) health.getBody().get("components");
    assertThat(components)
        .containsKeys(
            "raft", "storage", "peers", "transports", "vms", "livenessState", "readinessState")
        .doesNotContainKeys("diskSpace", "ping", "ssl");
    // this node's data directory has no guest image: vms says so, and the node is still UP
    assertThat((Map<String, Object>) components.get("vms")).containsEntry("status", "UNKNOWN");
    assertThat(http.getForEntity("/actuator/health/liveness", Map.class).getBody())
        .containsEntry("status", "UP");
    Map<String, Object> readiness = operatorGet("/actuator/health/readiness", Map.class).getBody();
    assertThat(readiness).containsEntry("status", "UP");
    assertThat((Map<String, Object>) readiness.get("components"))
        .containsOnlyKeys("raft", "readinessState");
  }

  @Test
  void probesReadDownAndOutOfServiceAs503AndDegradedAs200() {
    // Probes (Kubernetes, Compose) read only the HTTP status of the readiness group.
    assertThat(statusMapper.getStatusCode(org.springframework.boot.actuate.health.Status.DOWN))
        .isEqualTo(503);
    assertThat(
            statusMapper.getStatusCode(
                org.springframework.boot.actuate.health.Status.OUT_OF_SERVICE))
        .isEqualTo(503);
    assertThat(statusMapper.getStatusCode(io.blixard.health.NodeHealthIndicators.DEGRADED))
        .isEqualTo(200);
    assertThat(statusMapper.getStatusCode(org.springframework.boot.actuate.health.Status.UP))
        .isEqualTo(200);
  }

  @Test
  void serverMetricsTellAMemberNodesCallsFromAClients() throws Exception {
    // The test channel presents the operator's certificate; this one the node's own, a member's.
    io.grpc.ManagedChannel asMember =
        io.blixard.transport.grpc.GrpcChannelFactory.of(
                io.blixard.transport.grpc.GrpcChannelFactory.Tls.AUTO,
                identity,
                Duration.ofSeconds(5))
            .newChannel(
                io.blixard.node.NodeAddress.of(
                    "127.0.0.1",
                    endpoints.address(NodeEndpoints.Kind.GRPC).orElseThrow().getPort()));
    try {
      HealthServiceGrpc.newBlockingStub(asMember)
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .ping(io.blixard.proto.health.v1.PingRequest.getDefaultInstance());
      HealthServiceGrpc.newBlockingStub(channel())
          .withDeadlineAfter(5, TimeUnit.SECONDS)
          .ping(io.blixard.proto.health.v1.PingRequest.getDefaultInstance());
    } finally {
      asMember.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    String ping = "blixard_rpc_server_seconds_count\\{[^}]*caller=\"%s\",method=\"Ping\"";
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(operatorGet("/actuator/prometheus", String.class).getBody())
                    .containsPattern(ping.formatted("node"))
                    .containsPattern(ping.formatted("client")));
  }

  @Test
  void actuatorPrometheusCarriesRaftAndPerCallMetricsAndParses() throws Exception {
    HealthServiceGrpc.newBlockingStub(channel())
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(CheckRequest.getDefaultInstance());
    // A call is recorded when the server sees it complete, which may be after the client's answer.
    String text =
        await()
            .atMost(Duration.ofSeconds(10))
            .until(
                () -> operatorGet("/actuator/prometheus", String.class).getBody(),
                t -> t.contains("method=\"Check\""));
    assertThat(text)
        .contains("blixard_raft_applied_index")
        .contains("blixard_raft_leader_present")
        .containsPattern("blixard_rpc_server_seconds_count\\{[^}]*method=\"Check\"")
        .containsPattern("blixard_rpc_server_seconds_bucket\\{[^}]*method=\"Check\"")
        .contains("blixard_transport_strategy_version")
        .contains("blixard_transport_strategy_quic_share_ratio{");
    Promtool.assertValid(text);
    // What the dashboard and the alerts may name is what docs/metrics.md lists: it lists all this.
    java.util.Set<String> families = new java.util.TreeSet<>();
    java.util.regex.Matcher type =
        java.util.regex.Pattern.compile("(?m)^# TYPE (blixard_\\w+) (\\w+)").matcher(text);
    while (type.find()) {
      families.add(type.group(1).replaceAll("_max$", ""));
    }
    java.util.Set<String> documented = io.blixard.support.MetricsDoc.documented();
    assertThat(families).isNotEmpty().allSatisfy(f -> assertThat(documented).contains(f));
  }

  private <T> ResponseEntity<T> operatorGet(String path, Class<T> type) {
    return http.exchange(
        path,
        org.springframework.http.HttpMethod.GET,
        new org.springframework.http.HttpEntity<>(io.blixard.support.TestOperator.headers()),
        type);
  }

  private String[] cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var commandLine = BlixardCliAccess.commandLine();
    commandLine.setOut(new PrintWriter(out));
    commandLine.setErr(new PrintWriter(err));
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
    assertThat(status[1]).contains("\"leaderId\" : \"" + identity.nodeId().value() + "\"");

    for (String command : List.of("raft", "metrics", "sysinfo", "cluster-health", "ping")) {
      String[] result = cli(command, "--node", node());
      assertThat(result[0]).as(command + ": " + result[2]).isEqualTo("0");
      assertThat(result[1]).as(command).isNotBlank();
    }
  }

  @Test
  void cliReportsAnUnreachableNodeInOneLineWithExitCode3() throws Exception {
    int closedPort;
    try (var socket = new ServerSocket(0)) {
      closedPort = socket.getLocalPort();
    }
    String[] result = cli("health", "--node", "127.0.0.1:" + closedPort, "--timeout", "2s");
    assertThat(result[0]).isEqualTo("3");
    assertThat(result[2].strip())
        .startsWith("blixard: cannot reach node 127.0.0.1:" + closedPort + ": Connection refused")
        .doesNotContain("\n");
  }

  @Test
  void cliRejectsABadNodeAddress() {
    String[] result = cli("health", "--node", "no-port");
    assertThat(result[0]).isEqualTo("2");
    assertThat(result[2].strip())
        .isEqualTo("blixard: --node: \"no-port\" (expected: host:port or NODEID@host:port)");
  }
}
