package io.blixard.security;

import io.blixard.node.NodeAddress;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeIdentity;
import io.blixard.support.TestNode;
import io.blixard.transport.quic.client.QuicClientSettings;
import io.blixard.transport.quic.client.QuicConnectionPool;
import io.grpc.Channel;
import io.grpc.Status;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.List;

class AccessOverQuicTest extends AccessContractTest {

  @Override
  Channels channels(TestNode node) {
    List<QuicConnectionPool> pools = new ArrayList<>();
    NodeAddress target =
        NodeAddress.of(
            node.id(),
            "127.0.0.1",
            node.bean(NodeEndpoints.class)
                .address(NodeEndpoints.Kind.QUIC)
                .orElseThrow()
                .getPort());
    return new Channels() {
      @Override
      public Channel channel(NodeIdentity identity) {
        QuicConnectionPool pool =
            new QuicConnectionPool(
                QuicClientSettings.defaults(), identity, new SimpleMeterRegistry());
        pools.add(pool);
        return pool.channel(target);
      }

      @Override
      public void close() {
        pools.forEach(QuicConnectionPool::close);
      }
    };
  }

  /** The node needs a client certificate on QUIC: the handshake itself fails without one. */
  @Override
  Status.Code anonymousRefusal() {
    return Status.Code.UNAVAILABLE;
  }
}
