package io.blixard.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

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
