package io.blixard.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class DefaultPeerChannelsTest {

  @Test
  void oneChannelPerAddress() {
    try (DefaultPeerChannels channels = new DefaultPeerChannels()) {
      assertThat(channels.channel("127.0.0.1:7001")).isSameAs(channels.channel(" 127.0.0.1:7001"));
      assertThat(channels.channel("127.0.0.1:7001"))
          .isNotSameAs(channels.channel("127.0.0.1:7011"));
    }
  }

  @Test
  void quicAddressesAreRefusedWithTheReason() {
    try (DefaultPeerChannels channels = new DefaultPeerChannels()) {
      assertThatThrownBy(() -> channels.channel("a".repeat(52) + "@127.0.0.1:7002"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(
              "QUIC member addresses need a QUIC client, which this node has not");
    }
  }

  @Test
  void quicAddressesGoToTheQuicClient() {
    io.grpc.Channel quic = io.grpc.inprocess.InProcessChannelBuilder.forName("quic").build();
    try (DefaultPeerChannels channels = new DefaultPeerChannels(address -> quic)) {
      assertThat(channels.channel("a".repeat(52) + "@127.0.0.1:7002")).isSameAs(quic);
    }
  }

  @Test
  void closedChannelsRefuseNewCalls() {
    DefaultPeerChannels channels = new DefaultPeerChannels();
    channels.channel("127.0.0.1:7001");
    channels.close();
    assertThatThrownBy(() -> channels.channel("127.0.0.1:7001"))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }
}
