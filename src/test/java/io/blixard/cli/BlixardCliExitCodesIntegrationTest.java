package io.blixard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.proto.health.v1.CheckRequest;
import io.blixard.proto.health.v1.CheckResponse;
import io.blixard.proto.health.v1.HealthCheck;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.proto.health.v1.HealthStatus;
import io.blixard.proto.monitoring.v1.GetClusterHealthRequest;
import io.blixard.proto.monitoring.v1.GetClusterHealthResponse;
import io.blixard.proto.monitoring.v1.MonitoringServiceGrpc;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Exit codes of answers that say the node is not well: a plaintext gRPC server on a real port
 * answers as a DOWN node or one without quorum would.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class BlixardCliExitCodesIntegrationTest {

  private Server server;

  @AfterEach
  void stop() throws InterruptedException {
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private String[] run(HealthStatus health, String quorumProblem, String... args) throws Exception {
    server =
        ServerBuilder.forPort(0)
            .addService(
                new HealthServiceGrpc.HealthServiceImplBase() {
                  @Override
                  public void check(CheckRequest request, StreamObserver<CheckResponse> answer) {
                    answer.onNext(
                        CheckResponse.newBuilder()
                            .setNodeId("downnode")
                            .setStatus(health)
                            .addChecks(
                                HealthCheck.newBuilder()
                                    .setName("raft")
                                    .setStatus(health)
                                    .setDetail("no leader"))
                            .build());
                    answer.onCompleted();
                  }
                })
            .addService(
                new MonitoringServiceGrpc.MonitoringServiceImplBase() {
                  @Override
                  public void getClusterHealth(
                      GetClusterHealthRequest request,
                      StreamObserver<GetClusterHealthResponse> answer) {
                    answer.onNext(
                        GetClusterHealthResponse.newBuilder()
                            .setNodesTotal(3)
                            .setNodesHealthy(1)
                            .setLeaderPresent(quorumProblem.isEmpty())
                            .setQuorumProblem(quorumProblem)
                            .build());
                    answer.onCompleted();
                  }
                })
            .build()
            .start();
    String[] all = new String[args.length + 6];
    System.arraycopy(args, 0, all, 0, args.length);
    System.arraycopy(
        new String[] {
          "--node", "127.0.0.1:" + server.getPort(), "--tls", "off", "--transport", "grpc"
        },
        0,
        all,
        args.length,
        6);
    return BlixardCliAccess.run(all);
  }

  @Test
  void aDownNodeIsExitOneWithItsAnswerPrinted() throws Exception {
    String[] result = run(HealthStatus.HEALTH_STATUS_DOWN, "", "health");
    assertThat(result[0]).isEqualTo("1");
    assertThat(result[1]).contains("status  DOWN").containsPattern("raft +DOWN +no leader");
    assertThat(result[2]).isEqualToIgnoringNewLines("blixard: node downnode is DOWN");
  }

  @Test
  void aDownNodeInJsonIsStillOneDocument() throws Exception {
    String[] result = run(HealthStatus.HEALTH_STATUS_DOWN, "", "health", "--json");
    assertThat(result[0]).isEqualTo("1");
    assertThat(Json.MAPPER.readTree(result[1]).path("status").asText()).isEqualTo("down");
  }

  @Test
  void aDegradedNodeIsExitZero() throws Exception {
    assertThat(run(HealthStatus.HEALTH_STATUS_DEGRADED, "", "health")[0]).isEqualTo("0");
  }

  @Test
  void aClusterWithoutQuorumIsExitOne() throws Exception {
    String[] result =
        run(HealthStatus.HEALTH_STATUS_UP, "2 of 3 voters not heard from", "cluster-health");
    assertThat(result[0]).isEqualTo("1");
    assertThat(result[1]).contains("quorum");
    assertThat(result[2])
        .isEqualToIgnoringNewLines("blixard: no quorum: 2 of 3 voters not heard from");
  }

  @Test
  void aClusterWithQuorumIsExitZero() throws Exception {
    assertThat(run(HealthStatus.HEALTH_STATUS_UP, "", "cluster-health")[0]).isEqualTo("0");
  }
}
