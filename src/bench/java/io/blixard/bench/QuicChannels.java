package io.blixard.bench;

import io.blixard.node.NodeId;
import io.blixard.transport.quic.client.QuicClientSettings;
import io.blixard.transport.quic.client.QuicConnectionPool;
import io.blixard.node.NodeAddress;
import io.grpc.Channel;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.IdentityHashMap;
import java.util.Map;

/**
 * Blixard RPC on QUIC channels to a node, pinned to its node id, through the node's own client
 * ({@link QuicConnectionPool}) with its default settings. Each channel has a pool of its own, so a
 * new channel is a new connection; the pool (its threads) is made before a cold connect's clock
 * starts, as gRPC's shared transport threads exist before its clock starts.
 */
public final class QuicChannels implements RpcTarget.Channels {

  private final NodeAddress target;
  private final Map<Channel, QuicConnectionPool> pools = new IdentityHashMap<>();
  private QuicConnectionPool spare;

  private final io.blixard.node.NodeIdentity identity;

  public QuicChannels(String host, int port, NodeId nodeId) {
    this(host, port, nodeId, null);
  }

  /** Channels that present {@code identity}'s certificate (null: none), as an operator does. */
  public QuicChannels(String host, int port, NodeId nodeId, io.blixard.node.NodeIdentity identity) {
    this.target = NodeAddress.of(nodeId, host, port);
    this.identity = identity;
  }

  @Override
  public synchronized void beforeColdConnect() {
    if (spare == null) {
      spare = newPool();
    }
  }

  private QuicConnectionPool newPool() {
    return new QuicConnectionPool(
        QuicClientSettings.defaults(), identity, new SimpleMeterRegistry());
  }

  @Override
  public synchronized Channel open() {
    QuicConnectionPool pool = spare != null ? spare : newPool();
    spare = null;
    Channel channel = pool.channel(target);
    pools.put(channel, pool);
    return channel;
  }

  @Override
  public void close(Channel channel) {
    QuicConnectionPool pool;
    synchronized (this) {
      pool = pools.remove(channel);
    }
    if (pool != null) {
      pool.close();
    }
  }
}
