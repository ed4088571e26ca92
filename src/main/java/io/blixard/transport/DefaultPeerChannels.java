package io.blixard.transport;

import io.blixard.cluster.MemberAddress;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PeerChannels}: one plaintext gRPC {@link ManagedChannel} per {@code host:port}, made on
 * first use; QUIC member addresses ({@code NODEID@host:port}) go to the QUIC transport's pooled
 * connections, or are refused when no QUIC transport is in the build.
 */
public class DefaultPeerChannels implements PeerChannels {

  private static final Logger log = LoggerFactory.getLogger(DefaultPeerChannels.class);

  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final QuicPeerChannelFactory quic;
  private volatile boolean closed;

  /** gRPC member addresses only. */
  public DefaultPeerChannels() {
    this(null);
  }

  /**
   * @param quic channels for QUIC member addresses; null refuses them
   */
  public DefaultPeerChannels(QuicPeerChannelFactory quic) {
    this.quic = quic;
  }

  @Override
  public Channel channel(String memberAddress) {
    if (closed) {
      throw new IllegalStateException("peer channels are closed (the node is stopping)");
    }
    MemberAddress address = MemberAddress.parse(memberAddress);
    return switch (address.kind()) {
      case GRPC -> channels.computeIfAbsent(address.hostAndPort(), DefaultPeerChannels::open);
      case QUIC -> {
        if (quic == null) {
          throw new IllegalArgumentException(
              "member address "
                  + address
                  + ": QUIC member addresses need the QUIC transport, which is not available in"
                  + " this build (expected: host:grpcPort)");
        }
        yield quic.channel(address);
      }
    };
  }

  private static ManagedChannel open(String hostAndPort) {
    log.debug("Opening a gRPC channel to peer {}", hostAndPort);
    return ManagedChannelBuilder.forTarget(hostAndPort).usePlaintext().build();
  }

  @Override
  public void close() {
    closed = true;
    channels.values().forEach(ManagedChannel::shutdownNow);
    for (ManagedChannel channel : channels.values()) {
      try {
        channel.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    channels.clear();
  }
}
