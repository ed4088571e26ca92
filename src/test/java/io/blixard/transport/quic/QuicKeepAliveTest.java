package io.blixard.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.blixard.node.NodeAddress;
import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.transport.quic.client.QuicClientSettings;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
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

  /**
   * Forwards UDP between one client and the server, losing a share of the packets each way at
   * random, until told to drop every packet.
   */
  private static final class UdpRelay implements AutoCloseable {
    private final DatagramSocket front = new DatagramSocket(0, InetAddress.getLoopbackAddress());
    private final DatagramSocket back = new DatagramSocket();
    private final double loss;
    private volatile SocketAddress client;
    private volatile boolean dropping;

    UdpRelay(int serverPort) throws Exception {
      this(serverPort, 0);
    }

    UdpRelay(int serverPort, double loss) throws Exception {
      this.loss = loss;
      back.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort));
      start(() -> pump(front, true));
      start(() -> pump(back, false));
    }

    private static void start(Runnable pump) {
      Thread thread = new Thread(pump, "udp-relay");
      thread.setDaemon(true);
      thread.start();
    }

    int port() {
      return front.getLocalPort();
    }

    void drop() {
      dropping = true;
    }

    private void pump(DatagramSocket from, boolean towardsServer) {
      byte[] buffer = new byte[65_536];
      try {
        while (true) {
          DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
          from.receive(packet);
          if (dropping || ThreadLocalRandom.current().nextDouble() < loss) {
            continue;
          }
          if (towardsServer) {
            client = packet.getSocketAddress();
            back.send(new DatagramPacket(buffer, packet.getLength()));
          } else if (client != null) {
            front.send(new DatagramPacket(buffer, packet.getLength(), client));
          }
        }
      } catch (IOException e) {
        // Closed.
      }
    }

    @Override
    public void close() {
      front.close();
      back.close();
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
