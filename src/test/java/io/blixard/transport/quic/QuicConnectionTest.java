package io.blixard.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.node.DataDirectory;
import io.blixard.node.NodeAddress;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.transport.quic.client.QuicClientSettings;
import io.blixard.transport.quic.client.QuicConnectionPool;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Identity, ALPN, client authentication, deadlines and cancellation over real QUIC. */
@Timeout(60)
class QuicConnectionTest {

  @TempDir Path tmp;

  private final EchoTestService echo = new EchoTestService();

  private final NodeId self = NodeId.parse("a".repeat(52));

  private io.blixard.api.GrpcHealthService healthService() {
    return new io.blixard.api.GrpcHealthService(
        new io.blixard.health.HealthService() {
          @Override
          public io.blixard.health.HealthReport check() {
            return new io.blixard.health.HealthReport(
                io.blixard.health.HealthStatus.UP, List.of(), self, java.time.Instant.now());
          }

          @Override
          public io.blixard.health.PingReply ping(byte[] payload) {
            return new io.blixard.health.PingReply(payload, java.time.Instant.now(), self);
          }
        });
  }

  private static EchoRequest sleep(int millis) {
    return EchoRequest.newBuilder().setText("slow").setCount(millis).build();
  }

  @Test
  void shouldRefuseAServerWhoseKeyIsNotThePinnedNode() {
    try (QuicLoopback loopback = new QuicLoopback(tmp, List.of(echo))) {
      NodeId someoneElse =
          NodeIdentity.loadOrCreate(DataDirectory.open(tmp.resolve("other"))).nodeId();
      NodeAddress wrong = NodeAddress.of(someoneElse, "127.0.0.1", loopback.server.port());

      assertThatThrownBy(
              () ->
                  EchoServiceGrpc.newBlockingStub(loopback.pool.channel(wrong))
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .unary(EchoRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.getStatus().getDescription())
                    .isEqualTo(
                        "cannot connect over QUIC to "
                            + wrong
                            + ": the peer's certificate belongs to node "
                            + loopback.identity.nodeId()
                            + " (expected: node "
                            + someoneElse
                            + ")");
              });
      assertThat(echo.calls).hasValue(0);
      assertThat(
              loopback
                  .clientMeters
                  .get(QuicMetrics.HANDSHAKE_FAILURES)
                  .tags("side", "client")
                  .counter()
                  .count())
          .isEqualTo(1);
    }
  }

  @Test
  void shouldReportTheNodeIdSeenWhenDialingHostAndPort() {
    try (QuicLoopback loopback = new QuicLoopback(tmp, List.of(echo))) {
      var channel = loopback.pool.channel("127.0.0.1:" + loopback.server.port());
      EchoServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .unary(EchoRequest.getDefaultInstance());

      assertThat(channel.connectedNode()).contains(loopback.identity.nodeId());
    }
  }

  @Test
  void shouldRestrictAConnectionWithAServiceAlpnToThatService() {
    try (QuicLoopback loopback =
        new QuicLoopback(
            tmp,
            List.of(echo, healthService()),
            QuicLoopback.properties(
                QuicTransportProperties.ClientAuth.NONE, Duration.ofSeconds(30)),
            QuicClientSettings.defaults().withAlpn("blixard/health/1"),
            false)) {
      var channel = loopback.channel();
      // The health service is allowed ...
      HealthServiceGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .ping(io.blixard.proto.health.v1.PingRequest.getDefaultInstance());
      // ... any other is not.
      assertThatThrownBy(
              () ->
                  EchoServiceGrpc.newBlockingStub(channel)
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .unary(EchoRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
                assertThat(e.getStatus().getDescription())
                    .startsWith(
                        "this connection was opened for service health (ALPN blixard/health/1)");
              });
    }
  }

  @Test
  void shouldFailTheHandshakeForAnAlpnTheServerDoesNotOffer() {
    QuicTransportProperties rpcOnly =
        new QuicTransportProperties(
            0,
            "127.0.0.1",
            List.of(QuicAlpn.RPC),
            QuicTransportProperties.ClientAuth.NONE,
            org.springframework.util.unit.DataSize.ofMegabytes(4),
            100,
            Duration.ofSeconds(30),
            org.springframework.util.unit.DataSize.ofMegabytes(8),
            org.springframework.util.unit.DataSize.ofMegabytes(32),
            2,
            Duration.ofSeconds(1),
            true,
            1000,
            100,
            org.springframework.util.unit.DataSize.ofMegabytes(256),
            org.springframework.util.unit.DataSize.ofMegabytes(128),
            Duration.ofSeconds(10));
    try (QuicLoopback loopback =
        new QuicLoopback(
            tmp,
            List.of(echo),
            rpcOnly,
            QuicClientSettings.defaults().withAlpn("blixard/status/1"),
            false)) {
      assertThatThrownBy(
              () ->
                  EchoServiceGrpc.newBlockingStub(loopback.channel())
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .unary(EchoRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE))
          .hasMessageContaining(
              "the server closed the connection (TLS alert no_application_protocol)");
      assertThat(echo.calls).hasValue(0);
    }
  }

  @Test
  void shouldRequireAClientCertificateWhenClientAuthIsNeedAndNameTheCaller() throws Exception {
    AtomicReference<NodeId> caller = new AtomicReference<>();
    ServerInterceptor recordCaller =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            caller.set(call.getAttributes().get(QuicAttributes.PEER_NODE_ID));
            return next.startCall(call, headers);
          }
        };
    var needClientAuth =
        QuicLoopback.properties(QuicTransportProperties.ClientAuth.NEED, Duration.ofSeconds(30));
    try (QuicLoopback loopback =
        new QuicLoopback(
            tmp,
            List.of(() -> ServerInterceptors.intercept(echo, recordCaller)),
            needClientAuth,
            QuicClientSettings.defaults(),
            true)) {
      EchoServiceGrpc.newBlockingStub(loopback.channel())
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .unary(EchoRequest.getDefaultInstance());
      NodeId client = NodeIdentity.loadOrCreate(DataDirectory.open(tmp.resolve("client"))).nodeId();
      assertThat(caller.get()).isEqualTo(client);

      // An anonymous client is refused in the handshake.
      try (QuicConnectionPool anonymous =
          new QuicConnectionPool(QuicClientSettings.defaults(), null, new SimpleMeterRegistry())) {
        assertThatThrownBy(
                () ->
                    EchoServiceGrpc.newBlockingStub(anonymous.channel(loopback.target()))
                        .withDeadlineAfter(10, TimeUnit.SECONDS)
                        .unary(EchoRequest.getDefaultInstance()))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
      }
    }
  }

  @Test
  void shouldTakeAnonymousAndIdentifiedClientsWhenClientAuthIsWant() throws Exception {
    AtomicReference<NodeId> caller = new AtomicReference<>();
    ServerInterceptor recordCaller =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            caller.set(call.getAttributes().get(QuicAttributes.PEER_NODE_ID));
            return next.startCall(call, headers);
          }
        };
    var wantClientAuth =
        QuicLoopback.properties(QuicTransportProperties.ClientAuth.WANT, Duration.ofSeconds(30));
    try (QuicLoopback loopback =
        new QuicLoopback(
            tmp,
            List.of(() -> ServerInterceptors.intercept(echo, recordCaller)),
            wantClientAuth,
            QuicClientSettings.defaults(),
            true)) {
      EchoServiceGrpc.newBlockingStub(loopback.channel())
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .unary(EchoRequest.getDefaultInstance());
      assertThat(caller.get())
          .isEqualTo(NodeIdentity.loadOrCreate(DataDirectory.open(tmp.resolve("client"))).nodeId());

      try (QuicConnectionPool anonymous =
          new QuicConnectionPool(QuicClientSettings.defaults(), null, new SimpleMeterRegistry())) {
        EchoServiceGrpc.newBlockingStub(anonymous.channel(loopback.target()))
            .withDeadlineAfter(10, TimeUnit.SECONDS)
            .unary(EchoRequest.getDefaultInstance());
        assertThat(caller.get()).isNull();
      }
    }
  }

  @Test
  void shouldCarryTheDeadlineToTheServerAndAnswerDeadlineExceeded() throws Exception {
    try (QuicLoopback loopback = new QuicLoopback(tmp, List.of(echo))) {
      // Connected first, so that the deadline is spent on the call, not on the handshake.
      EchoServiceGrpc.newBlockingStub(loopback.channel())
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .unary(EchoRequest.getDefaultInstance());
      assertThatThrownBy(
              () ->
                  EchoServiceGrpc.newBlockingStub(loopback.channel())
                      .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                      .unary(sleep(5000)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED));
      // The handler's context was cancelled on the server too.
      assertThat(echo.cancelled.await(5, TimeUnit.SECONDS)).isTrue();
    }
  }

  @Test
  void shouldCarryACancellationToTheServer() throws Exception {
    try (QuicLoopback loopback = new QuicLoopback(tmp, List.of(echo))) {
      Context.CancellableContext context = Context.current().withCancellation();
      var responses =
          context.call(
              () ->
                  EchoServiceGrpc.newBlockingStub(loopback.channel())
                      .serverStream(EchoRequest.newBuilder().setCount(100_000_000).build()));
      responses.next();
      context.cancel(null);

      assertThat(echo.cancelled.await(10, TimeUnit.SECONDS)).isTrue();
      // The connection goes on serving.
      EchoServiceGrpc.newBlockingStub(loopback.channel())
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .unary(EchoRequest.newBuilder().setText("after").build());
    }
  }

  @Test
  void shouldCancelAUnaryCallFromTheClientAndLetGoOfItsStreamOnBothSides() throws Exception {
    try (QuicLoopback loopback = new QuicLoopback(tmp, List.of(echo))) {
      var call =
          loopback.channel().newCall(EchoServiceGrpc.getUnaryMethod(), io.grpc.CallOptions.DEFAULT);
      var future = ClientCalls.futureUnaryCall(call, sleep(60_000));
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> echo.calls.get() == 1);
      future.cancel(true);

      assertThat(future.isCancelled()).isTrue();
      // The client's side is still open after the request: its CANCEL stops the handler, and
      // both sides let go of the stream.
      assertThat(echo.cancelled.await(10, TimeUnit.SECONDS)).isTrue();
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(loopback.serverStreamsOpen()).isZero());
      // The connection goes on serving.
      assertThat(
              EchoServiceGrpc.newBlockingStub(loopback.channel())
                  .withDeadlineAfter(10, TimeUnit.SECONDS)
                  .unary(EchoRequest.newBuilder().setText("after").build())
                  .getText())
          .isEqualTo("after");
    }
  }
}
