package io.blixard.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.client.SideEffectService.Behaviour;
import io.blixard.migration.MigrationStrategy;
import io.blixard.migration.MigrationStrategyHolder;
import io.blixard.migration.ServedOnInterceptor;
import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.transport.Transport;
import io.blixard.transport.quic.QuicLoopback;
import io.grpc.BindableService;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.ClientCalls;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Which calls may move from QUIC to gRPC: one that never reached the server (nothing listens, or
 * the server refused it before running it), or one declared free of side effects. A call that ran
 * on the server and then failed is not sent again over gRPC unless it is safe to repeat. Real QUIC
 * on loopback; gRPC in-process.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class FallbackReplayTest {

  @TempDir Path dir;

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
  private final SideEffectService grpcSide = new SideEffectService(n -> Behaviour.ANSWER);
  private final String grpcName = InProcessServerBuilder.generateName();
  private Server grpcServer;
  private ManagedChannel grpc;
  private QuicLoopback quic;

  private Channel start(SideEffectService quicSide, BindableService served) throws Exception {
    grpcServer = InProcessServerBuilder.forName(grpcName).addService(grpcSide).build().start();
    grpc = InProcessChannelBuilder.forName(grpcName).build();
    quic = new QuicLoopback(dir, List.of(served == null ? quicSide : served));
    MigrationStrategy preferQuic = MigrationStrategy.defaults().withPreferQuic("health", true);
    return TransportChoosingChannel.builder("peer-1", grpc)
        .quic(quic.channel())
        .strategy(() -> preferQuic)
        .options(
            new ClientOptions(
                3,
                Duration.ofMillis(1),
                Duration.ofMillis(5),
                100,
                50f,
                10,
                Duration.ofSeconds(30)))
        .meters(meters)
        .scheduler(scheduler)
        .build();
  }

  @AfterEach
  void stop() throws Exception {
    if (grpc != null) {
      grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (grpcServer != null) {
      grpcServer.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
    if (quic != null) {
      quic.close();
    }
    scheduler.shutdownNow();
  }

  private static EchoResponse call(
      Channel channel, MethodDescriptor<EchoRequest, EchoResponse> method) {
    return ClientCalls.blockingUnaryCall(
        channel,
        method,
        CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
        EchoRequest.newBuilder().setText("x").build());
  }

  private double fallbacks() {
    var counter =
        meters.find("blixard.client.fallbacks").tags("from", "quic", "to", "grpc").counter();
    return counter == null ? 0 : counter.count();
  }

  @Test
  void aCallWithSideEffectsThatRanOverQuicIsNotRepeatedOverGrpc() throws Exception {
    SideEffectService quicSide = new SideEffectService(n -> Behaviour.FAIL_AFTER_RUNNING);
    Channel channel = start(quicSide, null);

    assertThatThrownBy(() -> call(channel, SideEffectService.BUMP))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription()).contains("ran call 0");
            });
    assertThat(quicSide.calls.get()).isEqualTo(1);
    assertThat(grpcSide.calls.get()).as("the call ran once: it must not run again").isZero();
    assertThat(fallbacks()).isZero();
  }

  @Test
  void aSafeCallThatFailedOverQuicIsRepeatedOverGrpc() throws Exception {
    SideEffectService quicSide = new SideEffectService(n -> Behaviour.FAIL_AFTER_RUNNING);
    Channel channel = start(quicSide, null);

    assertThat(call(channel, SideEffectService.READ).getText()).isEqualTo("x");
    assertThat(quicSide.calls.get()).isEqualTo(1);
    assertThat(grpcSide.calls.get()).isEqualTo(1);
    assertThat(fallbacks()).isEqualTo(1);
  }

  @Test
  void aCallWithSideEffectsMovesToGrpcWhenNothingListensOnQuic() throws Exception {
    SideEffectService quicSide = new SideEffectService(n -> Behaviour.ANSWER);
    Channel channel = start(quicSide, null);
    quic.server.stop();

    assertThat(call(channel, SideEffectService.BUMP).getText()).isEqualTo("x");
    assertThat(grpcSide.calls.get()).isEqualTo(1);
    assertThat(fallbacks()).isEqualTo(1);
  }

  @Test
  void aCallWithSideEffectsMovesToGrpcWhenTheQuicSideRefusesItBeforeRunningIt() throws Exception {
    SideEffectService quicSide = new SideEffectService(n -> Behaviour.ANSWER);
    MigrationStrategyHolder servedOnGrpcOnly =
        new MigrationStrategyHolder(
            MigrationStrategy.defaults().withServedOn("health", EnumSet.of(Transport.GRPC)),
            new SimpleMeterRegistry());
    Channel channel =
        start(
            quicSide,
            () ->
                ServerInterceptors.intercept(
                    quicSide.bindService(),
                    new ServedOnInterceptor(servedOnGrpcOnly, Transport.QUIC)));

    assertThat(call(channel, SideEffectService.BUMP).getText()).isEqualTo("x");
    assertThat(quicSide.calls.get()).as("refused before the handler").isZero();
    assertThat(grpcSide.calls.get()).isEqualTo(1);
    assertThat(fallbacks()).isEqualTo(1);
  }
}
