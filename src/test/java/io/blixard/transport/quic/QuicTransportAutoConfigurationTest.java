package io.blixard.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.StartupFailures;
import io.blixard.cluster.RaftTransportPlugIn;
import io.blixard.health.NodeReadiness;
import io.blixard.node.DataDirectory;
import io.blixard.node.NodeAddress;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeIdentity;
import io.blixard.node.NodeProperties;
import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.support.NodeAutoConfigurations;
import io.blixard.transport.quic.autoconfigure.QuicTransportAutoConfiguration;
import io.blixard.transport.quic.client.QuicConnectionPool;
import io.blixard.transport.quic.raft.QuicRaftService;
import io.blixard.transport.quic.raft.RaftRouterTransport;
import io.blixard.transport.quic.raft.RaftRouting;
import io.blixard.transport.quic.server.QuicRpcServer;
import io.blixard.transport.quic.server.RaftShare;
import io.grpc.BindableService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.availability.ApplicationAvailabilityBean;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;
import org.springframework.util.unit.DataSize;

@Timeout(30)
class QuicTransportAutoConfigurationTest {

  @TempDir Path tmp;

  private ApplicationContextRunner runner() {
    return new ApplicationContextRunner()
        .withConfiguration(
            NodeAutoConfigurations.grpcTransport(QuicTransportAutoConfiguration.class))
        .withPropertyValues(NodeAutoConfigurations.INSECURE)
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withBean(
            NodeEndpoints.class,
            () -> new NodeEndpoints(new NodeProperties(tmp, "127.0.0.1", DataSize.ofMegabytes(1))))
        .withBean(NodeIdentity.class, () -> NodeIdentity.loadOrCreate(DataDirectory.open(tmp)))
        .withBean(
            NodeReadiness.class, () -> new NodeReadiness(new ApplicationAvailabilityBean(), null))
        .withBean(BindableService.class, EchoTestService::new)
        .withPropertyValues(
            "blixard.transport.grpc.port=0",
            "blixard.transport.grpc.bind-address=127.0.0.1",
            "blixard.transport.grpc.shutdown-grace-period=1s",
            "blixard.transport.quic.port=0",
            "blixard.transport.quic.bind-address=127.0.0.1",
            "blixard.transport.quic.shutdown-grace-period=1s");
  }

  @Test
  void shouldCarryRaftOverQuicWhenRaftTransportIsAlwaysQuic() {
    runner()
        .withPropertyValues(
            "blixard.transport.mode=dual", "blixard.transport.strategy.raft-transport=always-quic")
        .run(
            context -> {
              assertThat(context).hasSingleBean(RaftTransportPlugIn.class);
              assertThat(context).hasSingleBean(QuicRaftService.class);
              RaftTransportPlugIn raft = context.getBean(RaftTransportPlugIn.class);
              assertThat(raft.listen()).isEqualTo(context.getBean(QuicRpcServer.class).port());
            });
  }

  @Test
  void shouldKeepAShareOfTheLimitsForRaftWhenRaftRunsOverQuic() {
    runner()
        .withPropertyValues(
            "blixard.transport.mode=dual",
            "blixard.transport.strategy.raft-transport=always-quic",
            "blixard.transport.quic.raft.max-inbound-bytes=32MB",
            "blixard.transport.quic.raft.reserved-connections=3")
        .run(
            context -> {
              RaftShare share = context.getBean(QuicRpcServer.class).raftShare();
              assertThat(share.limits().maxInboundBytes()).isEqualTo(DataSize.ofMegabytes(32));
              assertThat(share.limits().reservedConnections()).isEqualTo(3);
              assertThat(share.limits().handlerThreads()).isEqualTo(4);
            });
  }

  @Test
  void shouldKeepNoSliceOfConnectionsWhenRaftDoesNotRunOverQuic() {
    runner()
        .withPropertyValues("blixard.transport.mode=dual")
        .run(
            context -> {
              RaftShare share = context.getBean(QuicRpcServer.class).raftShare();
              assertThat(share.limits().reservedConnections()).isZero();
              assertThat(share.members().test(context.getBean(NodeIdentity.class).nodeId()))
                  .isFalse();
            });
  }

  @Test
  void shouldRefuseARaftBudgetSmallerThanOneFrame() {
    runner()
        .withPropertyValues(
            "blixard.transport.mode=dual",
            "blixard.transport.strategy.raft-transport=always-quic",
            "blixard.transport.quic.raft.max-inbound-bytes=1MB")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("blixard.transport.quic.raft.max-inbound-bytes: 1048576B")
                    .hasMessageContaining("at least the max-frame-size"));
  }

  @Test
  void shouldLeaveRaftOnRatissGrpcByDefault() {
    runner()
        .withPropertyValues("blixard.transport.mode=dual")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(RaftTransportPlugIn.class);
              assertThat(context).doesNotHaveBean(QuicRaftService.class);
            });
  }

  @Test
  void shouldRouteRaftOverBothTransportsWhenTheRouterIsOnInDualMode() {
    runner()
        .withPropertyValues(
            "blixard.transport.mode=dual",
            "blixard.transport.strategy.raft-transport=always-quic",
            "blixard.transport.quic.raft-router.enabled=true")
        .run(
            context -> {
              assertThat(context).hasSingleBean(RaftTransportPlugIn.class);
              assertThat(context).hasSingleBean(RaftRouterTransport.class);
              assertThat(context).hasSingleBean(QuicRaftService.class);
              assertThat(context).hasSingleBean(RaftRouting.class);
              RaftTransportPlugIn raft = context.getBean(RaftTransportPlugIn.class);
              assertThat(raft.keepsRaftPort()).isTrue();
              assertThat(raft.listen()).isEqualTo(context.getBean(QuicRpcServer.class).port());
            });
  }

  @Test
  void shouldRefuseTheRaftRouterOutsideDualMode() {
    runner()
        .withPropertyValues(
            "blixard.transport.mode=quic",
            // what quic mode needs anyway, so that the router's own refusal is the one met
            "blixard.transport.strategy.raft-transport=always-quic",
            "blixard.transport.quic.raft-router.enabled=true")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("raft-router.enabled=true needs both listeners")
                    .hasMessageContaining("blixard.transport.mode is quic (expected: dual)"));
  }

  @Test
  void shouldRefuseAProbeIntervalOfZero() {
    runner()
        .withPropertyValues(
            "blixard.transport.mode=dual",
            "blixard.transport.quic.raft-router.enabled=true",
            "blixard.transport.quic.raft-router.probe-interval=0s")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("raft-router.probe-interval: PT0S (expected: > 0)"));
  }

  @Test
  void shouldRefuseRaftOverQuicWithoutAQuicListener() {
    runner()
        .withPropertyValues(
            "blixard.transport.mode=grpc", "blixard.transport.strategy.raft-transport=always-quic")
        .run(
            context ->
                assertThat(context)
                    .hasFailed()
                    .getFailure()
                    .rootCause()
                    .hasMessageContaining("raft-transport=always-quic needs the QUIC listener")
                    .hasMessageContaining("blixard.transport.mode is grpc"));
  }

  @Test
  void shouldServeQuicWhenModeIsDual() {
    runner()
        .withPropertyValues("blixard.transport.mode=dual")
        .run(
            context -> {
              QuicRpcServer server = context.getBean(QuicRpcServer.class);
              assertThat(server.isRunning()).isTrue();
              assertThat(context).hasSingleBean(GrpcServerLifecycle.class);
              assertThat(context.getBean(NodeEndpoints.class).hostAndPort(NodeEndpoints.Kind.QUIC))
                  .isEqualTo("127.0.0.1:" + server.port());
              // The service bean is served over QUIC without any QUIC code of its own.
              NodeIdentity identity = context.getBean(NodeIdentity.class);
              var reply =
                  EchoServiceGrpc.newBlockingStub(
                          context
                              .getBean(QuicConnectionPool.class)
                              .channel(
                                  NodeAddress.of(identity.nodeId(), "127.0.0.1", server.port())))
                      .withDeadlineAfter(10, TimeUnit.SECONDS)
                      .unary(EchoRequest.newBuilder().setText("over quic").build());
              assertThat(reply.getText()).isEqualTo("over quic");
              Health health =
                  context.getBean("transportsHealthContributor", HealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(Status.UP);
              assertThat(health.getDetails())
                  .containsEntry("quic", "listening on 127.0.0.1:" + server.port());
            });
  }

  @Test
  void shouldServeQuicAloneWhenModeIsQuic() {
    runner()
        .withPropertyValues(
            "blixard.transport.mode=quic", "blixard.transport.strategy.raft-transport=always-quic")
        .run(
            context -> {
              assertThat(context).hasSingleBean(QuicRpcServer.class);
              assertThat(context).hasSingleBean(RaftTransportPlugIn.class);
              assertThat(context).doesNotHaveBean(GrpcServerLifecycle.class);
              // The starter's grpc.health.v1 stays: QUIC serves it.
              assertThat(
                      context
                          .getBean(io.blixard.rpc.ServiceCatalogue.class)
                          .service("grpc.health.v1.Health"))
                  .isPresent();
              assertThat(context.getBean(NodeEndpoints.class).address(NodeEndpoints.Kind.GRPC))
                  .isEmpty();
            });
  }

  @Test
  void shouldRefuseQuicModeWithRaftOnGrpc() {
    runner()
        .withPropertyValues("blixard.transport.mode=quic")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(StartupFailures.chain(context.getStartupFailure()))
                  .contains(
                      "blixard.transport.mode=quic has no gRPC listener for Raft, but"
                          + " blixard.transport.strategy.raft-transport is always-grpc"
                          + " (expected: always-quic)");
            });
  }

  @Test
  void shouldNotServeQuicWhenModeIsGrpc() {
    runner()
        .withPropertyValues("blixard.transport.mode=grpc")
        .run(
            context -> {
              assertThat(context).doesNotHaveBean(QuicRpcServer.class);
              assertThat(context.getBean(NodeEndpoints.class).address(NodeEndpoints.Kind.QUIC))
                  .isEmpty();
              // The node can still call its peers over QUIC.
              assertThat(context).hasSingleBean(QuicConnectionPool.class);
            });
  }

  @Test
  void shouldWithdrawTheQuicEndpointWhenTheContextCloses() {
    NodeEndpoints[] endpoints = new NodeEndpoints[1];
    runner().run(context -> endpoints[0] = context.getBean(NodeEndpoints.class));

    assertThat(endpoints[0].address(NodeEndpoints.Kind.QUIC)).isEmpty();
  }

  @Test
  void shouldRefuseAnAlpnThatIsNotProtocolV1s() {
    runner()
        .withPropertyValues("blixard.transport.quic.alpn-protocols=blixard/rpc/1,h3")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(StartupFailures.chain(context.getStartupFailure()))
                  .contains("blixard.transport.quic.alpn-protocols: \"h3\"")
                  .contains("expected: blixard/rpc/1 or blixard/SERVICE/1");
            });
  }

  @Test
  void shouldRefuseAFrameLimitBelowOneKibibyte() {
    runner()
        .withPropertyValues("blixard.transport.quic.max-frame-size=10B")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(StartupFailures.chain(context.getStartupFailure()))
                  .contains("blixard.transport.quic.max-frame-size: 10B (expected: 1KB to 2GB)");
            });
  }

  @Test
  void shouldNameTheAllowedClientAuthValues() {
    runner()
        .withPropertyValues("blixard.transport.quic.client-auth=sometimes")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(StartupFailures.analysis(context.getStartupFailure()))
                  .contains("blixard.transport.quic.client-auth")
                  .containsPattern("NEED\\s+NONE\\s+WANT");
            });
  }

  @Test
  void shouldFailStartUpOnATakenPortNamingTheSetting() throws java.io.IOException {
    try (var taken =
        new java.net.DatagramSocket(
            new java.net.InetSocketAddress(java.net.InetAddress.getLoopbackAddress(), 0))) {
      runner()
          .withPropertyValues(
              "blixard.transport.mode=quic",
              "blixard.transport.strategy.raft-transport=always-quic",
              "blixard.transport.quic.port=" + taken.getLocalPort())
          .run(
              context -> {
                assertThat(context).hasFailed();
                assertThat(StartupFailures.analysis(context.getStartupFailure()))
                    .startsWith(
                        "blixard.transport.quic.port: "
                            + taken.getLocalPort()
                            + " is already in use on 127.0.0.1 (expected: a free UDP port, or 0"
                            + " for any free one)\n");
              });
    }
  }
}
