package io.blixard.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NodeAddressTest {

  private static final String ID = "a".repeat(52);

  @Test
  void hostAndPort() {
    NodeAddress address = NodeAddress.parse("node-1.blixard:7001");
    assertThat(address.pinned()).isFalse();
    assertThat(address.host()).isEqualTo("node-1.blixard");
    assertThat(address.port()).isEqualTo(7001);
    assertThat(address.nodeId()).isEmpty();
    assertThat(address).hasToString("node-1.blixard:7001");
  }

  @Test
  void nodeIdAtHostAndPort() {
    NodeAddress address = NodeAddress.parse(ID.toUpperCase() + "@10.0.0.5:7002");
    assertThat(address.pinned()).isTrue();
    assertThat(address.nodeId()).contains(new NodeId(ID));
    assertThat(address.hostAndPort()).isEqualTo("10.0.0.5:7002");
    assertThat(address).hasToString(ID + "@10.0.0.5:7002");
    assertThat(address).isEqualTo(NodeAddress.of(new NodeId(ID), "10.0.0.5", 7002));
    assertThat(address.unpinned()).isEqualTo(NodeAddress.of("10.0.0.5", 7002));
    assertThat(address.unpinned().pinnedTo(new NodeId(ID))).isEqualTo(address);
  }

  @Test
  void bracketedIpv6() {
    NodeAddress address = NodeAddress.parse(" [::1]:7001 ");
    assertThat(address.host()).isEqualTo("::1");
    assertThat(address.hostAndPort()).isEqualTo("[::1]:7001");
    assertThat(NodeAddress.parse(address.toString())).isEqualTo(address);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "node-1",
        "node-1:",
        ":7001",
        "node-1:x",
        "node-1:70000",
        "node-1:0",
        "abc@h:1",
        "::1:7001",
        "[::1:7001",
        "not-an-address"
      })
  void malformedAddressesNameTheSettingTheTextAndTheExpectedForms(String text) {
    assertThatThrownBy(() -> NodeAddress.parse("blixard.cluster.join", text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith(
            "blixard.cluster.join: \"" + text + "\" (expected: host:port or NODEID@host:port")
        .hasMessageEndingWith(")")
        .hasMessageNotContaining("\n");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "not-an-address | --node: \"not-an-address\" (expected: host:port or NODEID@host:port)",
        "node-1:x | --node: \"node-1:x\" (expected: host:port or NODEID@host:port; port \"x\" is"
            + " not a number)",
        "node-1:70000 | --node: \"node-1:70000\" (expected: host:port or NODEID@host:port; port"
            + " 70000 is not from 1 to 65535)",
        ":7001 | --node: \":7001\" (expected: host:port or NODEID@host:port; no host)",
        "::1:7001 | --node: \"::1:7001\" (expected: host:port or NODEID@host:port; an IPv6 host"
            + " goes in brackets, [::1]:port)"
      })
  void errorsSayWhatWasWrong(String text, String message) {
    assertThatThrownBy(() -> NodeAddress.parse("--node", text)).hasMessage(message);
  }

  @Test
  void aBadNodeIdSaysWhatANodeIdIs() {
    assertThatThrownBy(() -> NodeAddress.parse("--node", "nobody@node-1:7002"))
        .hasMessageStartingWith("--node: \"nobody@node-1:7002\" (expected: host:port or NODEID")
        .hasMessageContaining("52 characters of lowercase base32");
  }

  @Test
  void hostAndPortOnlyWhereNoNodeIdBelongs() {
    assertThat(NodeAddress.parseHostAndPort("--http", "127.0.0.1:8080"))
        .isEqualTo(NodeAddress.of("127.0.0.1", 8080));
    assertThatThrownBy(() -> NodeAddress.parseHostAndPort("--http", "8080"))
        .hasMessage("--http: \"8080\" (expected: host:port)");
    assertThatThrownBy(() -> NodeAddress.parseHostAndPort("--http", ID + "@h:1"))
        .hasMessage(
            "--http: \"" + ID + "@h:1\" (expected: host:port; a node id does not belong here)");
  }

  @Test
  void constructedAddressesAreCheckedToo() {
    assertThatThrownBy(() -> NodeAddress.of(" ", 1))
        .hasMessage("host: \" \" (expected: a host name or address)");
    assertThatThrownBy(() -> NodeAddress.of("h", 0)).hasMessage("port: 0 (expected: 1 to 65535)");
  }
}
