package io.blixard.peers;

import io.grpc.Channel;

/**
 * Client channels to other members, one per member address, kept open and shared by every caller
 * (joins, peer probes). Closing it closes every channel.
 */
public interface PeerChannels extends AutoCloseable {

  /**
   * The channel to the member at this address ({@code host:grpcPort} or {@code
   * NODEID@host:quicPort}).
   *
   * @throws IllegalArgumentException when the address does not parse or its transport is not
   *     available in this build
   */
  Channel channel(String memberAddress);

  @Override
  void close();
}
