package io.blixard.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.blixard.health.CheckResult;
import io.blixard.health.HealthReport;
import io.blixard.health.HealthService;
import io.blixard.health.HealthStatus;
import io.blixard.health.PingReply;
import io.blixard.node.NodeId;
import io.blixard.proto.health.v1.CheckRequest;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.proto.health.v1.PingRequest;
import io.blixard.proto.health.v1.PingStreamRequest;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class GrpcHealthServiceTest {

  static final NodeId NODE = NodeId.ofSubjectPublicKeyInfo(new byte[] {1, 2, 3});
  static final Instant AT = Instant.parse("2026-11-22T10:15:30.123456789Z");

  private HealthReport report =
      new HealthReport(
          HealthStatus.DEGRADED,
          List.of(
              new CheckResult("raft", HealthStatus.UP, "leader", Map.of("role", "LEADER")),
              new CheckResult("peers", HealthStatus.DEGRADED, "1 of 2", Map.of("reachable", "1"))),
          NODE,
          AT);

  private final HealthService domain =
      new HealthService() {
        @Override
        public HealthReport check() {
          return report;
        }

        @Override
        public PingReply ping(byte[] payload) {
          return new PingReply(payload, AT, NODE);
        }
      };

  private final InProcessGrpc grpc = new InProcessGrpc(new GrpcHealthService(domain));
  private final HealthServiceGrpc.HealthServiceBlockingStub stub =
      HealthServiceGrpc.newBlockingStub(grpc.channel);

  @AfterEach
  void close() throws InterruptedException {
    grpc.close();
  }

  @Test
  void checkConvertsEveryCheckAndTheOverallStatus() {
    var response = stub.check(CheckRequest.getDefaultInstance());
    assertThat(response.getStatus())
        .isEqualTo(io.blixard.proto.health.v1.HealthStatus.HEALTH_STATUS_DEGRADED);
    assertThat(response.getNodeId()).isEqualTo(NODE.value());
    assertThat(response.getCheckedAt().getSeconds()).isEqualTo(AT.getEpochSecond());
    assertThat(response.getCheckedAt().getNanos()).isEqualTo(AT.getNano());
    assertThat(response.getChecksList()).hasSize(2);
    assertThat(response.getChecks(0).getName()).isEqualTo("raft");
    assertThat(response.getChecks(0).getAttributesMap()).containsEntry("role", "LEADER");
    assertThat(response.getChecks(1).getStatus())
        .isEqualTo(io.blixard.proto.health.v1.HealthStatus.HEALTH_STATUS_DEGRADED);
    assertThat(response.getChecks(1).getDetail()).isEqualTo("1 of 2");
  }

  @Test
  void pingEchoes() {
    var reply =
        stub.ping(PingRequest.newBuilder().setPayload(ByteString.copyFromUtf8("abc")).build());
    assertThat(reply.getPayload().toStringUtf8()).isEqualTo("abc");
    assertThat(reply.getNodeId()).isEqualTo(NODE.value());
    assertThat(reply.getSequence()).isZero();
  }

  @Test
  void pingStreamSendsCountEchoesInOrder() {
    var replies = stub.pingStream(PingStreamRequest.newBuilder().setCount(500).build());
    int expected = 0;
    while (replies.hasNext()) {
      assertThat(replies.next().getSequence()).isEqualTo(expected++);
    }
    assertThat(expected).isEqualTo(500);
  }

  @Test
  void pingStreamRejectsACountOutOfRange() {
    assertThatThrownBy(
            () ->
                stub.pingStream(PingStreamRequest.newBuilder().setCount(1_000_001).build()).next())
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("count: 1000001 (expected: 1 to 1000000)");
            });
  }

  @Test
  void aFailingCheckBecomesInternalWithItsReason() {
    report = null;
    assertThatThrownBy(() -> stub.check(CheckRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.INTERNAL));
  }
}
