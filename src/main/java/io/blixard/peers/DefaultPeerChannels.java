package io.blixard.peers;

import io.blixard.cluster.MemberAddress;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link PeerChannels} for both transports: one plaintext gRPC {@link ManagedChannel} per {@code
 * host:port}, made on first use, and for QUIC member addresses ({@code NODEID@host:port}) a channel
 * over the node's pooled QUIC connection to that node, pinned to its id.
 */
public class DefaultPeerChannels implements PeerChannels {

  private static final Logger log = LoggerFactory.getLogger(DefaultPeerChannels.class);

  private final Map<String, ManagedChannel> channels = new ConcurrentHashMap<>();
  private final Function<MemberAddress, Channel> quicChannels;
  private volatile boolean closed;

  /**
   * @param quicChannels channels to QUIC member addresses, or null where this node has no QUIC
   *     client
   */
  public DefaultPeerChannels(Function<MemberAddress, Channel> quicChannels) {
    this.quicChannels = quicChannels;
  }

  /** gRPC only: QUIC member addresses are refused. */
  public DefaultPeerChannels() {
    this(null);
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
        if (quicChannels == null) {
          throw new IllegalArgumentException(
              "member address "
                  + address
                  + ": QUIC member addresses need a QUIC client, which this node has not"
                  + " (expected: host:grpcPort)");
        }
        yield quicChannels.apply(address);
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
