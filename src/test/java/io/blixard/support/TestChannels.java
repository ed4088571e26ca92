package io.blixard.support;

import io.blixard.node.NodeAddress;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeIdentity;
import io.blixard.transport.Transport;
import io.blixard.transport.quic.client.QuicClientSettings;
import io.blixard.transport.quic.client.QuicConnectionPool;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.concurrent.TimeUnit;

/** Client channels to a node under test, one kind per transport. */
public final class TestChannels {

  private TestChannels() {}

  /** A channel and what closes it. */
  public record Opened(Channel channel, AutoCloseable closer) implements AutoCloseable {
    @Override
    public void close() throws Exception {
      closer.close();
    }
  }

  public static Opened open(Transport transport, NodeEndpoints endpoints, NodeIdentity identity) {
    return switch (transport) {
      case GRPC -> {
        ManagedChannel channel =
            TestOperator.grpcChannels()
                .newChannel(
                    NodeAddress.of(
                        "127.0.0.1",
                        endpoints.address(NodeEndpoints.Kind.GRPC).orElseThrow().getPort()));
        yield new Opened(
            channel, () -> channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS));
      }
      case QUIC -> {
        QuicConnectionPool pool =
            new QuicConnectionPool(
                QuicClientSettings.defaults(), TestOperator.identity(), new SimpleMeterRegistry());
        NodeAddress target =
            NodeAddress.of(
                identity.nodeId(),
                "127.0.0.1",
                endpoints.address(NodeEndpoints.Kind.QUIC).orElseThrow().getPort());
        yield new Opened(pool.channel(target), pool);
      }
    };
  }
}
