package io.blixard.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.node.DataDirectory;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.security.NodeIdTrustManager;
import io.blixard.support.NodeAutoConfigurations;
import io.blixard.support.TestDirectories;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;

/** The gRPC listener with {@code blixard.transport.grpc.tls.enabled}: real sockets on loopback. */
@Timeout(60)
class GrpcTlsIntegrationTest {

  private static final NodeIdentity SERVER =
      NodeIdentity.loadOrCreate(
          DataDirectory.open(TestDirectories.newDataDir("blixard-grpc-tls-server")));
  private static final NodeIdentity OTHER =
      NodeIdentity.loadOrCreate(
          DataDirectory.open(TestDirectories.newDataDir("blixard-grpc-tls-other")));

  // No Raft runs here, so the standard health service answers NOT_SERVING: an answer at all is what
  // shows the channel works.
  private static final HealthCheckResponse.ServingStatus ANSWER =
      HealthCheckResponse.ServingStatus.NOT_SERVING;

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(NodeAutoConfigurations.grpcTransport())
          .withUserConfiguration(GrpcTransportAutoConfigurationTest.NodeBeans.class)
          .withBean(NodeIdentity.class, () -> SERVER)
          // TLS handshakes, not authorization, are tested here.
          .withPropertyValues("blixard.security.mode=insecure")
          .withPropertyValues(
              "blixard.transport.mode=grpc",
              "blixard.transport.grpc.port=0",
              "blixard.transport.grpc.bind-address=127.0.0.1",
              "blixard.transport.grpc.shutdown-grace-period=1s");

  @Test
  void shouldAnswerAClientPinnedToTheNodeId() {
    runner
        .withPropertyValues("blixard.transport.grpc.tls.enabled=true")
        .run(
            context -> {
              GrpcListener server = context.getBean(GrpcListener.class);
              assertThat(server.tls()).isTrue();
              NodeIdTrustManager pinned = NodeIdTrustManager.pinned(SERVER.nodeId());
              assertThat(call(server.port(), tls(pinned, SERVER.nodeId()))).isEqualTo(ANSWER);
              assertThat(pinned.seen()).contains(SERVER.nodeId());
            });
  }

  @Test
  void shouldTellARecordingClientWhichNodeItReached() {
    runner
        .withPropertyValues("blixard.transport.grpc.tls.enabled=true")
        .run(
            context -> {
              NodeIdTrustManager recording = NodeIdTrustManager.recording();
              call(context.getBean(GrpcListener.class).port(), tls(recording, SERVER.nodeId()));
              assertThat(recording.seen()).contains(SERVER.nodeId());
            });
  }

  @Test
  void shouldFailTheHandshakeOfAClientPinnedToAnotherNode() {
    runner
        .withPropertyValues("blixard.transport.grpc.tls.enabled=true")
        .run(
            context -> {
              NodeIdTrustManager pinnedElsewhere = NodeIdTrustManager.pinned(OTHER.nodeId());
              int port = context.getBean(GrpcListener.class).port();
              assertThatThrownBy(() -> call(port, tls(pinnedElsewhere, SERVER.nodeId())))
                  .isInstanceOfSatisfying(
                      StatusRuntimeException.class,
                      e -> {
                        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                        assertThat(causes(e))
                            .contains("SSLHandshakeException")
                            .contains("expected: node " + OTHER.nodeId());
                      });
              assertThat(pinnedElsewhere.seen()).isEmpty();
            });
  }

  @Test
  void shouldRefuseAPlaintextClientWhenTlsIsOn() {
    runner
        .withPropertyValues("blixard.transport.grpc.tls.enabled=true")
        .run(
            context -> {
              int port = context.getBean(GrpcListener.class).port();
              assertThatThrownBy(() -> call(port, b -> b.usePlaintext()))
                  .isInstanceOf(StatusRuntimeException.class);
            });
  }

  @Test
  void shouldServeTlsByDefault() {
    runner.run(
        context -> {
          GrpcListener server = context.getBean(GrpcListener.class);
          assertThat(server.tls()).isTrue();
          assertThat(
                  call(
                      server.port(),
                      tls(NodeIdTrustManager.pinned(SERVER.nodeId()), SERVER.nodeId())))
              .isEqualTo(ANSWER);
        });
  }

  @Test
  void shouldFailToStartWithTlsButNoNodeIdentity() {
    new ApplicationContextRunner()
        .withConfiguration(NodeAutoConfigurations.grpcTransport())
        .withUserConfiguration(GrpcTransportAutoConfigurationTest.NodeBeans.class)
        .withPropertyValues("blixard.security.mode=insecure")
        .withPropertyValues(
            "blixard.transport.mode=grpc",
            "blixard.transport.grpc.port=0",
            "blixard.transport.grpc.tls.enabled=true")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(causes(context.getStartupFailure()))
                  .contains("blixard.transport.grpc.tls.enabled is true")
                  .contains("expected: a NodeIdentity bean");
            });
  }

  @Test
  void shouldAnswerAnAnonymousClientWhenClientAuthIsOptional() {
    runner
        .withPropertyValues(
            "blixard.transport.grpc.tls.enabled=true",
            "blixard.transport.grpc.tls.client-auth=optional")
        .run(
            context ->
                assertThat(
                        call(
                            context.getBean(GrpcListener.class).port(),
                            tls(NodeIdTrustManager.pinned(SERVER.nodeId()), SERVER.nodeId())))
                    .isEqualTo(ANSWER));
  }

  @Test
  void shouldRequireAClientCertificateWhenClientAuthIsRequire() {
    runner
        .withPropertyValues(
            "blixard.transport.grpc.tls.enabled=true",
            "blixard.transport.grpc.tls.client-auth=require")
        .run(
            context -> {
              int port = context.getBean(GrpcListener.class).port();
              assertThatThrownBy(
                      () ->
                          call(
                              port,
                              tls(NodeIdTrustManager.pinned(SERVER.nodeId()), SERVER.nodeId())))
                  .isInstanceOfSatisfying(
                      StatusRuntimeException.class,
                      e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
              // Any node's own certificate is accepted; what it may do is decided by its node id.
              var withCertificate =
                  GrpcSslContexts.forClient()
                      .trustManager(NodeIdTrustManager.pinned(SERVER.nodeId()))
                      .keyManager(OTHER.privateKey(), OTHER.certificate())
                      .protocols(GrpcTls.PROTOCOL)
                      .build();
              assertThat(
                      call(
                          port,
                          b ->
                              b.sslContext(withCertificate)
                                  .overrideAuthority(SERVER.nodeId().value() + ".blixard")))
                  .isEqualTo(ANSWER);
            });
  }

  private static Function<NettyChannelBuilder, ManagedChannelBuilder<?>> tls(
      NodeIdTrustManager trust, NodeId authority) {
    return b ->
        b.sslContext(GrpcTls.clientContext(trust))
            .overrideAuthority(authority.value() + ".blixard");
  }

  private static HealthCheckResponse.ServingStatus call(
      int port, Function<NettyChannelBuilder, ManagedChannelBuilder<?>> configure)
      throws InterruptedException {
    ManagedChannel channel =
        configure.apply(NettyChannelBuilder.forAddress("127.0.0.1", port)).build();
    try {
      return HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(HealthCheckRequest.getDefaultInstance())
          .getStatus();
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private static String causes(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.append(c.getClass().getName()).append(": ").append(c.getMessage()).append('\n');
    }
    return all.toString();
  }
}
