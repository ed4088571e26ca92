package io.blixard.api;

import com.google.protobuf.ByteString;
import io.blixard.health.CheckResult;
import io.blixard.health.HealthReport;
import io.blixard.health.HealthService;
import io.blixard.health.HealthStatus;
import io.blixard.health.PingReply;
import io.blixard.proto.health.v1.CheckRequest;
import io.blixard.proto.health.v1.CheckResponse;
import io.blixard.proto.health.v1.HealthCheck;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.proto.health.v1.PingRequest;
import io.blixard.proto.health.v1.PingResponse;
import io.blixard.proto.health.v1.PingStreamRequest;
import io.grpc.Status;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.springframework.grpc.server.service.GrpcService;
import org.springframework.stereotype.Component;

/** Serves {@link HealthService} as {@code blixard.health.v1.HealthService}. */
// Named apart from the starter's grpcHealthService bean, which serves grpc.health.v1.
@GrpcService
@Component("blixardHealthService")
public class GrpcHealthService extends HealthServiceGrpc.HealthServiceImplBase {

  static final int MAX_STREAM_COUNT = 1_000_000;

  private final HealthService health;

  public GrpcHealthService(HealthService health) {
    this.health = health;
  }

  @Override
  public void check(CheckRequest request, StreamObserver<CheckResponse> observer) {
    GrpcErrors.unary(observer, () -> toProto(health.check()));
  }

  @Override
  public void ping(PingRequest request, StreamObserver<PingResponse> observer) {
    GrpcErrors.unary(observer, () -> toProto(health.ping(request.getPayload().toByteArray()), 0));
  }

  @Override
  public void pingStream(PingStreamRequest request, StreamObserver<PingResponse> observer) {
    int count = request.getCount();
    if (count < 1 || count > MAX_STREAM_COUNT) {
      observer.onError(
          Status.INVALID_ARGUMENT
              .withDescription("count: " + count + " (expected: 1 to " + MAX_STREAM_COUNT + ")")
              .asRuntimeException());
      return;
    }
    byte[] payload = request.getPayload().toByteArray();
    var call = (ServerCallStreamObserver<PingResponse>) observer;
    AtomicInteger sent = new AtomicInteger();
    AtomicBoolean completed = new AtomicBoolean();
    // Send only while the transport can take more, so a slow reader does not fill the heap.
    call.setOnReadyHandler(
        () -> {
          while (call.isReady() && !call.isCancelled() && sent.get() < count) {
            call.onNext(toProto(health.ping(payload), sent.getAndIncrement()));
          }
          if (sent.get() == count && completed.compareAndSet(false, true)) {
            call.onCompleted();
          }
        });
  }

  private static PingResponse toProto(PingReply reply, int sequence) {
    return PingResponse.newBuilder()
        .setPayload(ByteString.copyFrom(reply.payload()))
        .setServerTime(ProtoTime.timestamp(reply.serverTime()))
        .setNodeId(reply.nodeId().value())
        .setSequence(sequence)
        .build();
  }

  private static CheckResponse toProto(HealthReport report) {
    CheckResponse.Builder response =
        CheckResponse.newBuilder()
            .setStatus(toProto(report.status()))
            .setNodeId(report.nodeId().value())
            .setCheckedAt(ProtoTime.timestamp(report.checkedAt()));
    for (CheckResult check : report.checks()) {
      response.addChecks(
          HealthCheck.newBuilder()
              .setName(check.name())
              .setStatus(toProto(check.status()))
              .setDetail(check.detail())
              .putAllAttributes(check.attributes()));
    }
    return response.build();
  }

  private static io.blixard.proto.health.v1.HealthStatus toProto(HealthStatus status) {
    return switch (status) {
      case UP -> io.blixard.proto.health.v1.HealthStatus.HEALTH_STATUS_UP;
      case DEGRADED -> io.blixard.proto.health.v1.HealthStatus.HEALTH_STATUS_DEGRADED;
      case DOWN -> io.blixard.proto.health.v1.HealthStatus.HEALTH_STATUS_DOWN;
    };
  }
}
