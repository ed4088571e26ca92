package io.blixard.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The relay the chaos run puts in front of a QUIC listener, over loopback. */
@Timeout(20)
class UdpRelayTest {

  @Test
  void relaysUntilStoppedAndAgainOnceStarted() throws Exception {
    try (DatagramSocket echo = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0));
        DatagramSocket client = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
      Thread echoing = new Thread(() -> echo(echo), "echo");
      echoing.setDaemon(true);
      echoing.start();
      InetSocketAddress listen;
      try (DatagramSocket probe = new DatagramSocket(new InetSocketAddress("127.0.0.1", 0))) {
        listen = (InetSocketAddress) probe.getLocalSocketAddress();
      }
      try (UdpRelay relay =
          new UdpRelay(listen, (InetSocketAddress) echo.getLocalSocketAddress())) {
        relay.start();
        client.connect(listen);
        client.setSoTimeout(2_000);

        assertThat(roundTrip(client, "first")).isEqualTo("first");

        relay.stop();
        assertThatThrownBy(() -> roundTrip(client, "while stopped"))
            .isInstanceOfAny(PortUnreachableException.class, SocketTimeoutException.class);

        relay.start();
        assertThat(roundTrip(client, "again")).isEqualTo("again");
      }
    }
  }

  private static String roundTrip(DatagramSocket client, String text) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    client.send(new DatagramPacket(bytes, bytes.length));
    DatagramPacket answer = new DatagramPacket(new byte[1500], 1500);
    client.receive(answer);
    return new String(answer.getData(), 0, answer.getLength(), StandardCharsets.UTF_8);
  }

  private static void echo(DatagramSocket socket) {
    DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
    try {
      while (true) {
        packet.setLength(1500);
        socket.receive(packet);
        socket.send(
            new DatagramPacket(packet.getData(), packet.getLength(), packet.getSocketAddress()));
      }
    } catch (IOException closed) {
      // The test ended.
    }
  }
}
