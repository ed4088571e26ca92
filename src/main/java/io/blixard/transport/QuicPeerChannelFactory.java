package io.blixard.transport;

import io.blixard.cluster.MemberAddress;
import io.grpc.Channel;

/**
 * Channels to members named {@code NODEID@host:quicPort}, provided by the QUIC transport when it is
 * in the build; {@link DefaultPeerChannels} hands QUIC member addresses to it.
 */
@FunctionalInterface
public interface QuicPeerChannelFactory {

  /** A channel to the member, which must prove the node id the address names. */
  Channel channel(MemberAddress address);
}
