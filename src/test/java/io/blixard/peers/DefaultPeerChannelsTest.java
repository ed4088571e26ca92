package io.blixard.peers;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.node.NodeAddress;
import io.blixard.transport.ChannelFactory;
import io.blixard.transport.Transport;
import io.blixard.transport.grpc.GrpcChannelFactory;
import io.grpc.Channel;
import io.grpc.inprocess.InProcessChannelBuilder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DefaultPeerChannelsTest {

  private static final String ID = "a".repeat(52);

  @Test
  void oneChannelPerAddress() {
    try (GrpcChannelFactory grpc = GrpcChannelFactory.plaintext();
        DefaultPeerChannels channels = new DefaultPeerChannels(grpc, null)) {
      assertThat(channels.channel("127.0.0.1:7001")).isSameAs(channels.channel(" 127.0.0.1:7001"));
      assertThat(channels.channel("127.0.0.1:7001"))
          .isNotSameAs(channels.channel("127.0.0.1:7011"));
    }
  }

  @Test
  void quicAddressesAreRefusedWithTheReason() {
    try (GrpcChannelFactory grpc = GrpcChannelFactory.plaintext();
        DefaultPeerChannels channels = new DefaultPeerChannels(grpc, null)) {
      assertThatThrownBy(() -> channels.channel(ID + "@127.0.0.1:7002"))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining(
              "QUIC member addresses need a QUIC client, which this node has not");
    }
  }

  @Test
  void pinnedAddressesGoToTheQuicFactoryAndOthersToTheGrpcOne() {
    Recording grpc = new Recording(Transport.GRPC);
    Recording quic = new Recording(Transport.QUIC);
    try (DefaultPeerChannels channels = new DefaultPeerChannels(grpc, quic)) {
      channels.channel(ID + "@127.0.0.1:7002");
      channels.channel("127.0.0.1:7001");
    }
    assertThat(quic.asked).containsExactly(NodeAddress.parse(ID + "@127.0.0.1:7002"));
    assertThat(grpc.asked).containsExactly(NodeAddress.parse("127.0.0.1:7001"));
  }

  @Test
  void badAddressesSayWhatWasExpected() {
    try (GrpcChannelFactory grpc = GrpcChannelFactory.plaintext();
        DefaultPeerChannels channels = new DefaultPeerChannels(grpc, null)) {
      assertThatThrownBy(() -> channels.channel("not-an-address"))
          .hasMessage(
              "member address: \"not-an-address\" (expected: host:port or NODEID@host:port)");
    }
  }

  @Test
  void closedChannelsRefuseNewCalls() {
    try (GrpcChannelFactory grpc = GrpcChannelFactory.plaintext()) {
      DefaultPeerChannels channels = new DefaultPeerChannels(grpc, null);
      channels.channel("127.0.0.1:7001");
      channels.close();
      assertThatThrownBy(() -> channels.channel("127.0.0.1:7001"))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("closed");
    }
  }

  /** A factory that hands out in-process channels and remembers the addresses asked for. */
  private static final class Recording implements ChannelFactory {
    private final Transport transport;
    private final List<NodeAddress> asked = new ArrayList<>();

    Recording(Transport transport) {
      this.transport = transport;
    }

    @Override
    public Transport transport() {
      return transport;
    }

    @Override
    public Channel channel(NodeAddress address) {
      asked.add(address);
      return InProcessChannelBuilder.forName(transport.tag()).build();
    }

    @Override
    public void close() {}
  }
}
