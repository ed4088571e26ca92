package io.blixard.node;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.node.ListenerBindException.Protocol;
import java.io.IOException;
import java.net.BindException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketException;
import java.nio.channels.UnresolvedAddressException;
import org.junit.jupiter.api.Test;

class ListenerBindExceptionTest {

  private static final String PORT = "blixard.transport.grpc.port";
  private static final String ADDRESS = "blixard.transport.grpc.bind-address";

  @Test
  void shouldNameThePortSettingWhenThePortIsTaken() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        ServerSocket second = new ServerSocket()) {
      InetSocketAddress address = new InetSocketAddress("127.0.0.1", taken.getLocalPort());
      IOException cause = bindFailure(second, address);

      ListenerBindException failure =
          new ListenerBindException(PORT, ADDRESS, Protocol.TCP, address, cause);

      assertThat(failure)
          .hasMessage(
              PORT
                  + ": "
                  + taken.getLocalPort()
                  + " is already in use on 127.0.0.1 (expected: a free TCP port, or 0 for any"
                  + " free one)")
          .hasCause(cause);
      assertThat(failure.setting()).isEqualTo(PORT);
    }
  }

  @Test
  void shouldNameTheAddressSettingForAnAddressOfAnotherMachine() throws IOException {
    try (ServerSocket socket = new ServerSocket()) {
      InetSocketAddress address = new InetSocketAddress("192.0.2.1", 7001);
      ListenerBindException failure =
          new ListenerBindException(
              PORT, ADDRESS, Protocol.TCP, address, bindFailure(socket, address));

      assertThat(failure)
          .hasMessage(
              ADDRESS
                  + ": \"192.0.2.1\" is not an address of this machine (expected: one of its IP"
                  + " addresses or a name that resolves to one, or 0.0.0.0 for all of them)");
      assertThat(failure.setting()).isEqualTo(ADDRESS);
    }
  }

  @Test
  void shouldNameTheAddressSettingForAHostThatDoesNotResolve() {
    InetSocketAddress unresolved = InetSocketAddress.createUnresolved("no-such-host.invalid", 1);
    assertThat(
            new ListenerBindException(
                PORT, ADDRESS, Protocol.UDP, unresolved, new UnresolvedAddressException()))
        .hasMessageStartingWith(ADDRESS + ": \"no-such-host.invalid\" is not an address");
  }

  @Test
  void shouldSayWhenThePortNeedsPrivileges() {
    assertThat(
            new ListenerBindException(
                PORT,
                ADDRESS,
                Protocol.UDP,
                new InetSocketAddress("127.0.0.1", 80),
                new IOException("bind failed", new BindException("Permission denied"))))
        .hasMessage(
            PORT
                + ": 80 needs privileges this process does not have (expected: a UDP port from"
                + " 1024 to 65535)");
  }

  @Test
  void shouldQuoteAnyOtherFailure() {
    assertThat(
            new ListenerBindException(
                PORT,
                ADDRESS,
                Protocol.TCP,
                new InetSocketAddress("127.0.0.1", 7001),
                new IOException("wrapped", new SocketException("Too many open files"))))
        .hasMessage(PORT + ": cannot listen on 127.0.0.1:7001/tcp (Too many open files)");
  }

  private static IOException bindFailure(ServerSocket socket, InetSocketAddress address) {
    try {
      socket.bind(address);
    } catch (IOException e) {
      return e;
    }
    throw new AssertionError("bound " + address);
  }
}
