package io.blixard.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.blixard.node.NodeAddress;
import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.transport.quic.client.QuicClientSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Keep-alive while calls are open (docs/protocol.md §1): a healthy link must not die at the idle
 * timeout because a handler is slow or a stream is quiet.
 */
@Timeout(60)
class QuicKeepAliveTest {

  private static final Duration IDLE = Duration.ofSeconds(1);

  @TempDir Path tmp;

  private final EchoTestService echo = new EchoTestService();

  private QuicLoopback loopback() {
    var settings =
        new QuicClientSettings(
            QuicAlpn.RPC,
            4 * 1024 * 1024,
            Duration.ofSeconds(5),
            IDLE,
            Duration.ofMillis(250),
            Duration.ofSeconds(30),
            8,
            8L * 1024 * 1024,
            32L * 1024 * 1024);
    return new QuicLoopback(
        tmp,
        List.of(echo),
        QuicLoopback.properties(QuicTransportProperties.ClientAuth.NONE, IDLE),
        settings,
        false);
  }

  @Test
  void shouldKeepASlowCallAliveOverALinkThatLosesPackets() throws Exception {
    try (QuicLoopback loopback = loopback();
        UdpRelay relay = new UdpRelay(loopback.server.port(), 0.05)) {
      var target = NodeAddress.of(loopback.identity.nodeId(), "127.0.0.1", relay.port());
      // 5 % of the packets lost each way; the handler sleeps three idle timeouts.
      for (int i = 0; i < 3; i++) {
        assertThat(
                EchoServiceGrpc.newBlockingStub(loopback.pool.channel(target))
                    .withDeadlineAfter(30, TimeUnit.SECONDS)
                    .unary(EchoRequest.newBuilder().setText("slow" + i).setCount(3000).build())
                    .getText())
            .isEqualTo("slow" + i);
      }
      assertThat(loopback.pool.size()).isEqualTo(1);
    }
  }

  @Test
  void shouldNoticeAPeerThatWentSilentLongBeforeTheIdleTimeout() throws Exception {
    Duration idle = Duration.ofSeconds(60);
    var settings =
        new QuicClientSettings(
            QuicAlpn.RPC,
            4 * 1024 * 1024,
            Duration.ofSeconds(1),
            idle,
            Duration.ofMillis(250),
            Duration.ofMinutes(5),
            8,
            8L * 1024 * 1024,
            32L * 1024 * 1024);
    try (QuicLoopback loopback =
            new QuicLoopback(
                tmp,
                List.of(echo),
                QuicLoopback.properties(QuicTransportProperties.ClientAuth.NONE, idle),
                settings,
                false);
        UdpRelay relay = new UdpRelay(loopback.server.port())) {
      var target = NodeAddress.of(loopback.identity.nodeId(), "127.0.0.1", relay.port());
      assertThat(
              EchoServiceGrpc.newBlockingStub(loopback.pool.channel(target))
                  .withDeadlineAfter(10, TimeUnit.SECONDS)
                  .unary(EchoRequest.newBuilder().setText("before").build())
                  .getText())
          .isEqualTo("before");
      assertThat(loopback.pool.size()).isEqualTo(1);

      // The peer vanishes without a word (a crash, a cable pulled): no packet comes back.
      relay.drop();

      // Its keep-alive PONG does not come within the connect timeout: the connection is closed,
      // a minute before QUIC's idle timeout would have noticed.
      await().atMost(Duration.ofSeconds(20)).until(() -> loopback.pool.size() == 0);
    }
  }

  @Test
  void shouldKeepTheConnectionOfAHandlerSlowerThanTheIdleTimeoutAlive() {
    try (QuicLoopback loopback = loopback()) {
      // The handler sleeps three idle timeouts; no call frame moves meanwhile.
      String text =
          EchoServiceGrpc.newBlockingStub(loopback.channel())
              .withDeadlineAfter(20, TimeUnit.SECONDS)
              .unary(EchoRequest.newBuilder().setText("slow").setCount(3000).build())
              .getText();

      assertThat(text).isEqualTo("slow");
      assertThat(loopback.pool.size()).isEqualTo(1);
    }
  }
}
