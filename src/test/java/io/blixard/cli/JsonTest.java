package io.blixard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import com.google.protobuf.Duration;
import com.google.protobuf.Timestamp;
import io.blixard.proto.health.v1.CheckResponse;
import io.blixard.proto.health.v1.HealthCheck;
import io.blixard.proto.health.v1.HealthStatus;
import io.blixard.proto.health.v1.PingResponse;
import io.blixard.proto.status.v1.ClusterNode;
import io.blixard.proto.status.v1.GetRaftStatusResponse;
import io.blixard.proto.status.v1.RaftRole;
import org.junit.jupiter.api.Test;

class JsonTest {

  @Test
  void protobufMessagesGetCamelCaseNamesShortLowerCaseEnumsAndIsoTimes() {
    CheckResponse response =
        CheckResponse.newBuilder()
            .setStatus(HealthStatus.HEALTH_STATUS_UP)
            .setNodeId("n")
            .setCheckedAt(Timestamp.newBuilder().setSeconds(1_700_000_000).setNanos(5_000_000))
            .addChecks(
                HealthCheck.newBuilder()
                    .setName("storage")
                    .setStatus(HealthStatus.HEALTH_STATUS_DEGRADED)
                    .putAttributes("free_bytes", "12")
                    .putAttributes("role", "LEADER")
                    .putAttributes("peer.abc", "reachable, rtt 3 ms")
                    .putAttributes("timeout", "PT4S"))
            .build();
    assertThat(Json.write(response))
        .isEqualToIgnoringWhitespace(
            """
            {"status": "up",
             "checks": [{"name": "storage", "status": "degraded", "detail": "",
                         "attributes": {"freeBytes": 12, "role": "leader",
                                        "peer.abc": "reachable, rtt 3 ms", "timeout": "PT4S"}}],
             "nodeId": "n",
             "checkedAt": "2023-11-14T22:13:20.005Z"}
            """);
  }

  @Test
  void unsignedCountersAreNumbersEvenAboveTheSignedRange() {
    GetRaftStatusResponse raft =
        GetRaftStatusResponse.newBuilder()
            .setRole(RaftRole.RAFT_ROLE_LEADER)
            .setTerm(-1L) // uint64 max on the wire
            .setCommitIndex(42)
            .build();
    String json = Json.write(raft);
    assertThat(json)
        .contains("\"role\" : \"leader\"")
        .contains("\"term\" : 18446744073709551615")
        .contains("\"commitIndex\" : 42");
  }

  @Test
  void unsetMessageFieldsAreLeftOutAndDurationsAreIso() {
    ClusterNode node =
        ClusterNode.newBuilder()
            .setNodeId("n")
            .setRtt(Duration.newBuilder().setNanos(1_500_000))
            .build();
    String json = Json.write(node);
    assertThat(json).contains("\"rtt\" : \"PT0.0015S\"").doesNotContain("lastContact");
    assertThat(json).contains("\"role\" : \"unspecified\"").contains("\"voter\" : false");
  }

  @Test
  void bytesAreBase64() {
    assertThat(
            Json.write(PingResponse.newBuilder().setPayload(ByteString.copyFromUtf8("hi")).build()))
        .contains("\"payload\" : \"aGk=\"");
  }

  @Test
  void recordsFollowTheSameRules() {
    assertThat(
            Json.write(
                BlixardCli.PingCommand.PingReport.of(
                    java.util.List.of(
                        new BlixardCli.PingCommand.Pong(0, "n", 0.25),
                        new BlixardCli.PingCommand.Pong(1, "n", 0.5)))))
        .isEqualToIgnoringWhitespace(
            """
            {"pings": [{"sequence": 0, "nodeId": "n", "rttMillis": 0.25},
                       {"sequence": 1, "nodeId": "n", "rttMillis": 0.5}],
             "summary": {"count": 2, "minMillis": 0.25, "averageMillis": 0.375, "maxMillis": 0.5}}
            """);
  }

  enum Transport {
    GRPC,
    ALWAYS_QUIC
  }

  record WithEnum(Transport transport) {}

  @Test
  void javaEnumsAreLowerCaseToo() {
    assertThat(Json.write(new WithEnum(Transport.GRPC))).contains("\"transport\" : \"grpc\"");
  }

  @Test
  void onlySnakeCaseKeysWholeNumbersAndUpperCaseWordsOfReadingsChange() {
    String json =
        Json.write(
            HealthCheck.newBuilder()
                .putAttributes("group", "0f3e-11")
                .putAttributes("big", "123456789012345678901234")
                .putAttributes("ratio", "0.5")
                .putAttributes("mixed", "Leader")
                .build());
    assertThat(json)
        .contains("\"group\" : \"0f3e-11\"")
        .contains("\"big\" : \"123456789012345678901234\"")
        .contains("\"ratio\" : \"0.5\"")
        .contains("\"mixed\" : \"Leader\"");
  }
}
