package io.blixard.transport;

import io.blixard.node.NodeAddress;
import io.grpc.Channel;

/**
 * Client channels of one transport: how every client of a node (its peers, the client library, the
 * command line, the benchmark) reaches a node over that transport, with the transport's TLS and
 * node-id pinning, so that no caller builds a channel of its own. A channel is for the generated
 * stubs; the factory owns it and closes it with itself.
 */
public interface ChannelFactory extends AutoCloseable {

  /** The transport this factory's channels speak. */
  Transport transport();

  /**
   * A channel to the node at this address, pinned to the node id the address names (the handshake
   * fails with any other node). Calls to the same address share one connection.
   *
   * @throws IllegalStateException when the factory is closed
   */
  Channel channel(NodeAddress address);

  /** Closes every channel this factory handed out. */
  @Override
  void close();
}
