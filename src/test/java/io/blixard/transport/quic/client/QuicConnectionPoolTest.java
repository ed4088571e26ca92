package io.blixard.transport.quic.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.blixard.node.NodeId;
import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.transport.quic.EchoTestService;
import io.blixard.transport.quic.QuicLoopback;
import io.blixard.transport.quic.QuicMetrics;
import io.blixard.transport.quic.QuicTransportProperties;
import io.grpc.Channel;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(60)
class QuicConnectionPoolTest {

  @TempDir Path tmp;

  private static String echo(Channel channel, String text) {
    return EchoServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .unary(EchoRequest.newBuilder().setText(text).build())
        .getText();
  }

  private static double serverConnections(QuicLoopback loopback) {
    return loopback
        .serverMeters
        .get(QuicMetrics.CONNECTIONS)
        .tags("side", "server")
        .gauge()
        .value();
  }

  @Test
  void shouldReconnectAfterTheServerRestarts() {
    try (QuicLoopback loopback = new QuicLoopback(tmp, List.of(new EchoTestService()))) {
      var channel = loopback.channel();
      assertThat(echo(channel, "before")).isEqualTo("before");
      int port = loopback.server.port();

      loopback.server.stop();
      loopback.server.start();

      // The port picked at first start is kept, so the same target reaches the new listener.
      assertThat(loopback.server.port()).isEqualTo(port);
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .until(() -> echo(channel, "after").equals("after"));
      assertThat(loopback.pool.size()).isEqualTo(1);
    }
  }

  @Test
  void shouldDialEveryConnectionWithTheSameTlsContext() {
    try (QuicLoopback loopback = new QuicLoopback(tmp, List.of(new EchoTestService()))) {
      var channel = loopback.channel();
      assertThat(echo(channel, "first")).isEqualTo("first");
      var first = tlsContextOf(loopback);

      loopback.server.stop();
      loopback.server.start();
      await()
          .atMost(Duration.ofSeconds(20))
          .ignoreExceptions()
          .until(() -> echo(channel, "second").equals("second"));

      // A TLS context (its native SSL_CTX, the client's key) is made once per pool, not per dial.
      assertThat(tlsContextOf(loopback)).isSameAs(first);
    }
  }

  /** The TLS context behind the pooled connection, as its TLS session names it. */
  private static Object tlsContextOf(QuicLoopback loopback) {
    return loopback
        .pool
        .connection(loopback.target())
        .join()
        .channel()
        .sslEngine()
        .getSession()
        .getSessionContext();
  }

  @Test
  void shouldKeepAnIdleConnectionAliveAndCloseItAfterTheEvictionTime() throws Exception {
    var properties =
        QuicLoopback.properties(QuicTransportProperties.ClientAuth.NONE, Duration.ofSeconds(1));
    var settings =
        new QuicClientSettings(
            "blixard/rpc/1",
            4 * 1024 * 1024,
            Duration.ofSeconds(5),
            Duration.ofSeconds(1),
            Duration.ofMillis(250),
            Duration.ofSeconds(3),
            8,
            8L * 1024 * 1024,
            32L * 1024 * 1024);
    try (QuicLoopback loopback =
        new QuicLoopback(tmp, List.of(new EchoTestService()), properties, settings, false)) {
      var channel = loopback.channel();
      echo(channel, "open");
      NodeId connectedTo = channel.connectedNode().orElseThrow();

      // Twice the idle timeout without a call: keep-alive PINGs hold the connection open.
      await()
          .during(Duration.ofSeconds(2))
          .atMost(Duration.ofSeconds(5))
          .until(() -> loopback.pool.size() == 1 && serverConnections(loopback) == 1);
      assertThat(connectedTo).isEqualTo(loopback.identity.nodeId());

      // After the eviction time without calls, the pool lets it go.
      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> loopback.pool.size() == 0 && serverConnections(loopback) == 0);
      assertThat(echo(channel, "reopened")).isEqualTo("reopened");
    }
  }

  @Test
  void shouldHoldAtMostMaxConnectionsClosingTheIdlestOne() {
    try (QuicLoopback first = new QuicLoopback(tmp.resolve("a"), List.of(new EchoTestService()));
        QuicLoopback second = new QuicLoopback(tmp.resolve("b"), List.of(new EchoTestService()));
        QuicConnectionPool pool =
            new QuicConnectionPool(
                QuicClientSettings.defaults().withMaxConnections(1),
                null,
                new io.micrometer.core.instrument.simple.SimpleMeterRegistry())) {
      echo(pool.channel(first.target()), "one");
      echo(pool.channel(second.target()), "two");

      await()
          .atMost(Duration.ofSeconds(10))
          .until(() -> pool.size() == 1 && serverConnections(first) == 0);
      assertThat(pool.connectedNode(second.target())).contains(second.identity.nodeId());
    }
  }

  @Test
  void shouldFailACallToANodeThatIsNotThereWithUnavailable() {
    try (QuicConnectionPool pool =
        new QuicConnectionPool(
            QuicClientSettings.defaults(),
            null,
            new io.micrometer.core.instrument.simple.SimpleMeterRegistry())) {
      var channel = pool.channel("127.0.0.1:9");
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> echo(channel, "nobody"))
          .isInstanceOfSatisfying(
              io.grpc.StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAVAILABLE);
                assertThat(e.getStatus().getDescription())
                    .isEqualTo(
                        "cannot connect over QUIC to 127.0.0.1:9: nothing listens on UDP port 9"
                            + " (ICMP port unreachable)");
              });
    }
  }
}
