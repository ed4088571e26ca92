package io.blixard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.node.NodeId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class MemberAddressTest {

  private static final String ID = "a".repeat(52);

  @Test
  void hostAndGrpcPort() {
    MemberAddress address = MemberAddress.parse("node-1.blixard:7001");
    assertThat(address.kind()).isEqualTo(MemberAddress.Kind.GRPC);
    assertThat(address.host()).isEqualTo("node-1.blixard");
    assertThat(address.port()).isEqualTo(7001);
    assertThat(address.nodeId()).isEmpty();
    assertThat(address).hasToString("node-1.blixard:7001");
  }

  @Test
  void nodeIdAtHostAndQuicPort() {
    MemberAddress address = MemberAddress.parse(ID.toUpperCase() + "@10.0.0.5:7002");
    assertThat(address.kind()).isEqualTo(MemberAddress.Kind.QUIC);
    assertThat(address.nodeId()).contains(new NodeId(ID));
    assertThat(address.hostAndPort()).isEqualTo("10.0.0.5:7002");
    assertThat(address).hasToString(ID + "@10.0.0.5:7002");
  }

  @Test
  void bracketedIpv6() {
    MemberAddress address = MemberAddress.parse("[::1]:7001");
    assertThat(address.host()).isEqualTo("::1");
    assertThat(address.hostAndPort()).isEqualTo("[::1]:7001");
  }

  @ParameterizedTest
  @ValueSource(strings = {"node-1", "node-1:", ":7001", "node-1:x", "node-1:70000", "abc@h:1"})
  void malformedAddressesNameTheTextAndTheExpectedForms(String text) {
    assertThatThrownBy(() -> MemberAddress.parse(text))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("member address \"" + text + "\"")
        .hasMessageContaining("expected: host:grpcPort or NODEID@host:quicPort");
  }
}
