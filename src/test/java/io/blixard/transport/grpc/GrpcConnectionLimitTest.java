package io.blixard.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.transport.quic.EchoTestService;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The gRPC server's connection limits over real TCP connections, through the node's factory. */
@Timeout(60)
class GrpcConnectionLimitTest {

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private NodeGrpcServerFactory factory;
  private Server server;

  @AfterEach
  void stop() throws Exception {
    channels.forEach(ManagedChannel::shutdownNow);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    factory.destroy();
  }

  private void start(int maxConnections, int perSource) throws Exception {
    factory =
        new NodeGrpcServerFactory(
            new InetSocketAddress("127.0.0.1", 0),
            null,
            new GrpcConnectionLimit(maxConnections, perSource, meters),
            List.of());
    factory.addService(new EchoTestService().bindService());
    server = factory.createServer();
    server.start();
  }

  /** A call over a channel, and so a connection, of its own. */
  private ManagedChannel connected() {
    ManagedChannel channel =
        NettyChannelBuilder.forAddress("127.0.0.1", server.getPort()).usePlaintext().build();
    channels.add(channel);
    echo(channel);
    return channel;
  }

  private static String echo(ManagedChannel channel) {
    return EchoServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .unary(EchoRequest.newBuilder().setText("hello").build())
        .getText();
  }

  private double refused(String reason) {
    return meters
        .get(GrpcConnectionLimit.CONNECTIONS_REFUSED)
        .tag("reason", reason)
        .counter()
        .count();
  }

  private double open() {
    return meters.get(GrpcConnectionLimit.CONNECTIONS).gauge().value();
  }

  @Test
  void connectionsFromOneAddressBeyondItsLimitAreClosedUntilOneGoes() throws Exception {
    start(1000, 2);
    ManagedChannel first = connected();
    connected();

    assertThatThrownBy(this::connected)
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    assertThat(refused("max_connections_per_source")).isPositive();
    assertThat(open()).isEqualTo(2);
    assertThat(echo(first)).isEqualTo("hello");

    first.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(10)).until(() -> open() == 1);
    assertThat(echo(connected())).isEqualTo("hello");
  }

  @Test
  void connectionsBeyondTheServersLimitAreClosedAndAFloodLeavesNothingCounted() throws Exception {
    start(3, 1000);
    for (int i = 0; i < 3; i++) {
      connected();
    }
    for (int i = 0; i < 10; i++) {
      assertThatThrownBy(this::connected).isInstanceOf(StatusRuntimeException.class);
    }
    assertThat(refused("max_connections")).isGreaterThanOrEqualTo(10);

    channels.forEach(ManagedChannel::shutdownNow);
    channels.clear();
    await().atMost(Duration.ofSeconds(10)).until(() -> open() == 0);
    for (int i = 0; i < 3; i++) {
      connected();
    }
    assertThat(open()).isEqualTo(3);
  }
}
