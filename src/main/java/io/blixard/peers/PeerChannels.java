package io.blixard.peers;

import io.blixard.node.NodeAddress;
import io.grpc.Channel;

/**
 * Client channels to other members, one per member address, kept open and shared by every caller
 * (joins, peer probes). Closing it closes every channel.
 */
public interface PeerChannels extends AutoCloseable {

  /**
   * The channel to the member at this address: {@code host:grpcPort} over gRPC, {@code
   * NODEID@host:quicPort} over QUIC pinned to that node id.
   *
   * @throws IllegalArgumentException when its transport is not available on this node
   */
  Channel channel(NodeAddress address);

  /**
   * A gRPC channel to {@code host:grpcPort} whose TLS handshake must show the node id the address
   * is pinned to (in insecure mode, plaintext as every gRPC channel of this node).
   */
  Channel grpcChannel(NodeAddress pinned);

  /**
   * The channel to the member at this address, as text.
   *
   * @throws IllegalArgumentException when the address does not parse or its transport is not
   *     available on this node
   */
  default Channel channel(String memberAddress) {
    return channel(NodeAddress.parse("member address", memberAddress));
  }

  @Override
  void close();
}
