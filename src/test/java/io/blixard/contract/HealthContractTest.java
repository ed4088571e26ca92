package io.blixard.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import io.blixard.proto.health.v1.CheckRequest;
import io.blixard.proto.health.v1.CheckResponse;
import io.blixard.proto.health.v1.HealthCheck;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.proto.health.v1.HealthStatus;
import io.blixard.proto.health.v1.PingRequest;
import io.blixard.proto.health.v1.PingResponse;
import io.blixard.proto.health.v1.PingStreamRequest;
import io.blixard.support.SingleNodeTestSupport;
import io.grpc.CallOptions;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.ProtoUtils;
import io.grpc.stub.ClientCalls;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * {@code blixard.health.v1.HealthService} and {@code grpc.health.v1.Health}: the same answers and
 * the same status codes over every transport (one subclass per transport).
 */
public abstract class HealthContractTest extends SingleNodeTestSupport {

  private HealthServiceGrpc.HealthServiceBlockingStub health() {
    return HealthServiceGrpc.newBlockingStub(channel()).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  @Test
  void checkListsRaftStorageAndPeersWithRealDetails() {
    CheckResponse response = health().check(CheckRequest.getDefaultInstance());
    assertThat(response.getStatus()).isEqualTo(HealthStatus.HEALTH_STATUS_UP);
    assertThat(response.getNodeId()).isEqualTo(identity.nodeId().value());
    assertThat(response.getChecksList())
        .extracting(HealthCheck::getName)
        .containsExactly("raft", "storage", "peers");
    Map<String, HealthCheck> checks =
        response.getChecksList().stream().collect(Collectors.toMap(HealthCheck::getName, c -> c));
    assertThat(checks.get("raft").getAttributesMap()).containsEntry("role", "LEADER");
    assertThat(checks.get("raft").getDetail()).startsWith("leader of a group of 1");
    assertThat(checks.get("storage").getAttributesMap())
        .containsEntry("path", DATA_DIR.toAbsolutePath().normalize().toString());
    assertThat(Long.parseLong(checks.get("storage").getAttributesMap().get("free_bytes")))
        .isPositive();
    assertThat(checks.get("peers").getDetail()).isEqualTo("single node, no peers");
  }

  @Test
  void pingEchoesThePayloadWithTheServerClock() {
    PingResponse reply =
        health().ping(PingRequest.newBuilder().setPayload(ByteString.copyFromUtf8("hi")).build());
    assertThat(reply.getPayload().toStringUtf8()).isEqualTo("hi");
    assertThat(reply.getNodeId()).isEqualTo(identity.nodeId().value());
    assertThat(reply.getServerTime().getSeconds()).isPositive();
  }

  @Test
  void pingEchoesALargePayload() {
    ByteString payload = ByteString.copyFrom(new byte[1024 * 1024]);
    assertThat(health().ping(PingRequest.newBuilder().setPayload(payload).build()).getPayload())
        .isEqualTo(payload);
  }

  @Test
  void pingStreamSendsEveryEchoInOrder() {
    Iterator<PingResponse> replies =
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
  }

  @Test
  void pingStreamWithABadCountIsInvalidArgument() {
    assertStatus(
        () -> health().pingStream(PingStreamRequest.newBuilder().setCount(0).build()).next(),
        Status.Code.INVALID_ARGUMENT,
        "count: 0 (expected: 1 to 1000000)");
  }

  @Test
  void anUnknownMethodIsUnimplemented() {
    MethodDescriptor<PingRequest, PingResponse> missing =
        HealthServiceGrpc.getPingMethod().toBuilder()
            .setFullMethodName("blixard.health.v1.HealthService/NoSuchMethod")
            .build();
    assertThatThrownBy(
            () ->
                ClientCalls.blockingUnaryCall(
                    channel(),
                    missing,
                    CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
                    PingRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
              assertThat(e.getStatus().getDescription())
                  .contains("blixard.health.v1.HealthService/NoSuchMethod");
            });
  }

  @Test
  void anUnknownServiceIsUnimplemented() {
    MethodDescriptor<PingRequest, PingResponse> missing =
        MethodDescriptor.<PingRequest, PingResponse>newBuilder()
            .setType(MethodDescriptor.MethodType.UNARY)
            .setFullMethodName("blixard.nothing.v1.NoService/Ping")
            .setRequestMarshaller(ProtoUtils.marshaller(PingRequest.getDefaultInstance()))
            .setResponseMarshaller(ProtoUtils.marshaller(PingResponse.getDefaultInstance()))
            .build();
    assertThatThrownBy(
            () ->
                ClientCalls.blockingUnaryCall(
                    channel(),
                    missing,
                    CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS),
                    PingRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
  }

  @Test
  void standardHealthIsServingForTheServerAndEachService() {
    assertThat(servingStatus("")).isEqualTo(ServingStatus.SERVING);
    assertThat(servingStatus("blixard.health.v1.HealthService")).isEqualTo(ServingStatus.SERVING);
    assertThat(servingStatus("blixard.status.v1.StatusService")).isEqualTo(ServingStatus.SERVING);
    assertThat(servingStatus("blixard.monitoring.v1.MonitoringService"))
        .isEqualTo(ServingStatus.SERVING);
    assertStatus(() -> servingStatus("no.such.Service"), Status.Code.NOT_FOUND, null);
  }

  /** Asserts the call fails with the code and, when given, exactly this description. */
  protected static void assertStatus(Runnable call, Status.Code code, String description) {
    assertThatThrownBy(call::run)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(code);
              if (description != null) {
                assertThat(e.getStatus().getDescription()).isEqualTo(description);
              }
            });
  }
}
