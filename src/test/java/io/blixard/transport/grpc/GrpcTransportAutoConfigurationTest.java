package io.blixard.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.StartupFailures;
import io.blixard.health.NodeReadiness;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeProperties;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.rpc.ServiceCatalogue;
import io.blixard.support.NodeAutoConfigurations;
import io.grpc.BindableService;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.springframework.boot.actuate.health.Health;
import org.springframework.boot.actuate.health.HealthIndicator;
import org.springframework.boot.actuate.health.Status;
import org.springframework.boot.availability.ApplicationAvailabilityBean;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

@Timeout(30)
class GrpcTransportAutoConfigurationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(NodeAutoConfigurations.grpcTransport())
          .withUserConfiguration(NodeBeans.class)
          .withPropertyValues(NodeAutoConfigurations.INSECURE)
          // The server starts with the context: a free loopback port, and a quick stop.
          .withPropertyValues(
              "blixard.transport.grpc.port=0",
              "blixard.transport.grpc.bind-address=127.0.0.1",
              "blixard.transport.grpc.shutdown-grace-period=1s");

  /** The few node beans the transports need, without Raft. */
  @Configuration(proxyBeanMethods = false)
  static class NodeBeans {

    @Bean
    MeterRegistry meterRegistry() {
      return new SimpleMeterRegistry();
    }

    @Bean
    NodeEndpoints nodeEndpoints() {
      return new NodeEndpoints(
          new NodeProperties(
              java.nio.file.Path.of("data"),
              "127.0.0.1",
              org.springframework.util.unit.DataSize.ofMegabytes(64)));
    }

    @Bean
    NodeReadiness nodeReadiness() {
      // NodeReadiness needs the RaftNode, a lifecycle bean that would start Raft; it is only asked
      // for readiness by the scheduled refresh, which no test here enables.
      return new NodeReadiness(new ApplicationAvailabilityBean(), null);
    }

    @Bean
    BindableService echoService() {
      return new EchoServiceGrpc.EchoServiceImplBase() {};
    }
  }

  @Test
  void shouldServeGrpcWhenModeIsDual() {
    runner
        .withPropertyValues("blixard.transport.mode=dual")
        .run(
            context -> {
              assertThat(context).hasSingleBean(GrpcServerLifecycle.class);
              assertThat(context.getBean(GrpcServerLifecycle.class).isRunning()).isTrue();
              GrpcListener server = context.getBean(GrpcListener.class);
              assertThat(server.port()).isPositive();
              assertThat(context.getBean(GrpcServerLifecycle.class).getPort())
                  .isEqualTo(server.port());
              assertThat(context.getBean(NodeEndpoints.class).hostAndPort(NodeEndpoints.Kind.GRPC))
                  .isEqualTo("127.0.0.1:" + server.port());
            });
  }

  @Test
  void shouldServeGrpcWhenModeIsMissing() {
    runner.run(context -> assertThat(context).hasSingleBean(GrpcServerLifecycle.class));
  }

  @Test
  void shouldServeGrpcWhenModeIsGrpc() {
    runner
        .withPropertyValues("blixard.transport.mode=grpc")
        .run(
            context -> {
              assertThat(context).hasSingleBean(GrpcServerLifecycle.class);
              assertThat(context.getBean(GrpcServerLifecycle.class).isRunning()).isTrue();
            });
  }

  @Test
  void shouldNotServeGrpcWhenModeIsQuic() {
    runner
        .withPropertyValues("blixard.transport.mode=quic")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context).doesNotHaveBean(GrpcServerLifecycle.class);
              assertThat(context).doesNotHaveBean(GrpcListener.class);
              assertThat(context.getBean(NodeEndpoints.class).address(NodeEndpoints.Kind.GRPC))
                  .isEmpty();
            });
  }

  @Test
  void shouldWithdrawTheEndpointWhenTheContextCloses() {
    NodeEndpoints[] endpoints = new NodeEndpoints[1];
    runner
        .withPropertyValues("blixard.transport.mode=grpc")
        .run(context -> endpoints[0] = context.getBean(NodeEndpoints.class));

    assertThat(endpoints[0].address(NodeEndpoints.Kind.GRPC)).isEmpty();
  }

  @Test
  void shouldCatalogueEveryServiceBeanAndTheStandardHealthService() {
    runner.run(
        context ->
            assertThat(context.getBean(ServiceCatalogue.class).serviceNames())
                .containsExactly("blixard.test.v1.EchoService", "grpc.health.v1.Health"));
  }

  @Test
  void shouldUseAServiceCatalogueGivenAsABean() {
    ServiceCatalogue mine = new ServiceCatalogue(java.util.List.of());
    runner
        .withBean(ServiceCatalogue.class, () -> mine)
        .run(context -> assertThat(context.getBean(ServiceCatalogue.class)).isSameAs(mine));
  }

  @Test
  void shouldReportTheGrpcListenerInTheTransportsHealth() {
    runner
        .withPropertyValues("blixard.transport.mode=grpc")
        .run(
            context -> {
              int port = context.getBean(GrpcListener.class).port();
              Health health =
                  context.getBean("transportsHealthContributor", HealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(Status.UP);
              assertThat(health.getDetails())
                  .containsEntry("mode", "grpc")
                  .containsEntry("grpc", "listening on 127.0.0.1:" + port)
                  .doesNotContainKey("quic");
            });
  }

  @Test
  void shouldReportTheTransportsDownWhenTheModeNamesATransportThatIsNotListening() {
    // Only the gRPC transport is configured here, so dual mode has no QUIC listener.
    runner
        .withPropertyValues("blixard.transport.mode=dual")
        .run(
            context -> {
              Health health =
                  context.getBean("transportsHealthContributor", HealthIndicator.class).health();
              assertThat(health.getStatus()).isEqualTo(Status.DOWN);
              assertThat(health.getDetails().get("quic").toString())
                  .contains("expected: a quic listener in mode DUAL");
              assertThat(health.getDetails().get("grpc").toString()).startsWith("listening on");
            });
  }

  @Test
  void shouldFailOnAnUnknownModeNamingTheKeyAndTheAllowedValues() {
    runner
        .withPropertyValues("blixard.transport.mode=http3")
        .run(
            context -> {
              assertThat(context).hasFailed();
              Throwable failure = context.getStartupFailure();
              // The exceptions name the key and the value, but not the allowed values ...
              assertThat(StartupFailures.chain(failure))
                  .contains("Failed to bind properties under 'blixard.transport.mode'")
                  .contains("No enum constant io.blixard.transport.TransportMode.http3");
              // ... which the failure analysis printed at start-up adds.
              assertThat(StartupFailures.analysis(failure))
                  .contains("Property: blixard.transport.mode")
                  .contains("Value: \"http3\"")
                  .containsPattern("valid:\\s+DUAL\\s+GRPC\\s+QUIC");
            });
  }

  @Test
  void shouldRefuseAStarterServerKeyTheNodeDoesNotReadNamingItsOwn() {
    runner
        .withPropertyValues("spring.grpc.server.port=9090")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(StartupFailures.chain(context.getStartupFailure()))
                  .contains(
                      "spring.grpc.server.port is not read by the node's gRPC server"
                          + " (expected: blixard.transport.grpc.port");
            });
    runner
        .withPropertyValues("spring.grpc.server.keep-alive.time=1m")
        .run(
            context ->
                assertThat(StartupFailures.chain(context.getStartupFailure()))
                    .contains("spring.grpc.server.keep-alive is not read")
                    .contains("expected: unset, the node has no such setting"));
  }

  @Test
  void shouldMeasureEveryGrpcCallOnceByTheSharedChain() {
    runner
        .withPropertyValues("blixard.transport.mode=grpc")
        .run(
            context -> {
              NodeGrpcServerFactory factory = context.getBean(NodeGrpcServerFactory.class);
              // The starter's own observation interceptor is there, and kept off the server.
              var starters =
                  context.getBean(
                      io.micrometer.core.instrument.binder.grpc.ObservationGrpcServerInterceptor
                          .class);
              assertThat(
                      factory.supports(
                          starters, new EchoServiceGrpc.EchoServiceImplBase() {}.bindService()))
                  .isFalse();
              int port = context.getBean(GrpcListener.class).port();
              var channel =
                  io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder.forAddress(
                          "127.0.0.1", port)
                      .usePlaintext()
                      .build();
              try {
                assertThat(
                        io.grpc.health.v1.HealthGrpc.newBlockingStub(channel)
                            .withDeadlineAfter(10, java.util.concurrent.TimeUnit.SECONDS)
                            .check(io.grpc.health.v1.HealthCheckRequest.getDefaultInstance())
                            .getStatus())
                    .isEqualTo(io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
              } finally {
                channel.shutdownNow();
              }
              MeterRegistry meters = context.getBean(MeterRegistry.class);
              org.awaitility.Awaitility.await()
                  .atMost(java.time.Duration.ofSeconds(10))
                  .until(
                      () ->
                          meters
                                  .find("blixard.rpc.server")
                                  .tags("transport", "grpc", "method", "Check", "status", "OK")
                                  .timer()
                              != null);
              assertThat(meters.find("grpc.server").meters()).isEmpty();
            });
  }

  @Test
  void shouldListenOnTheBindAddressOnly() {
    runner
        .withPropertyValues("blixard.transport.mode=grpc")
        .run(
            context -> {
              int port = context.getBean(GrpcListener.class).port();
              try (var socket = new java.net.Socket()) {
                socket.connect(new java.net.InetSocketAddress("127.0.0.1", port), 5000);
              }
              // Another loopback address of this machine: the server did not bind it.
              org.assertj.core.api.Assertions.assertThatThrownBy(
                      () -> {
                        try (var socket = new java.net.Socket()) {
                          socket.connect(new java.net.InetSocketAddress("127.0.0.2", port), 5000);
                        }
                      })
                  .isInstanceOf(java.net.ConnectException.class);
            });
  }

  @Test
  void shouldFailStartUpOnATakenPortNamingTheSetting() throws java.io.IOException {
    try (var taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      runner
          .withPropertyValues(
              "blixard.transport.mode=grpc", "blixard.transport.grpc.port=" + taken.getLocalPort())
          .run(
              context -> {
                assertThat(context).hasFailed();
                assertThat(StartupFailures.analysis(context.getStartupFailure()))
                    .startsWith(
                        "blixard.transport.grpc.port: "
                            + taken.getLocalPort()
                            + " is already in use on 127.0.0.1 (expected: a free TCP port, or 0"
                            + " for any free one)\n");
              });
    }
  }
}
