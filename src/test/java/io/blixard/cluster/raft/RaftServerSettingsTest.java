package io.blixard.cluster.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.StartupFailures;
import io.blixard.cluster.ClusterProperties;
import io.blixard.node.ListenerBindException;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;

class RaftServerSettingsTest {

  @Test
  void shouldRefuseATakenPortNamingTheSetting() throws IOException {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      ClusterProperties.Raft raft = raft("127.0.0.1", taken.getLocalPort());

      assertThatThrownBy(() -> RaftServerSettings.port(raft))
          .isInstanceOf(ListenerBindException.class)
          .satisfies(
              failure ->
                  assertThat(StartupFailures.analysis(failure))
                      .startsWith(
                          "blixard.cluster.raft.port: "
                              + taken.getLocalPort()
                              + " is already in use on 127.0.0.1 (expected: a free TCP port, or 0"
                              + " for any free one)\n"));
    }
  }

  @Test
  void shouldRefuseABindAddressOfAnotherMachineWhenPickingAFreePort() {
    assertThatThrownBy(() -> RaftServerSettings.port(raft("192.0.2.1", 0)))
        .isInstanceOf(ListenerBindException.class)
        .hasMessageStartingWith(
            "blixard.cluster.raft.bind-address: \"192.0.2.1\" is not an address");
  }

  @Test
  void shouldKeepAFreeConfiguredPort() throws IOException {
    int free;
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      free = socket.getLocalPort();
    }
    assertThat(RaftServerSettings.port(raft("127.0.0.1", free))).isEqualTo(free);
    assertThat(RaftServerSettings.port(raft("127.0.0.1", 0))).isPositive();
  }

  private static ClusterProperties.Raft raft(String bindAddress, int port) {
    return new ClusterProperties.Raft(port, bindAddress, null, null, null, null);
  }
}
