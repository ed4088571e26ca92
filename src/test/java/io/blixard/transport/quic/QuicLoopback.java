package io.blixard.transport.quic;

import io.blixard.node.DataDirectory;
import io.blixard.node.NodeAddress;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeIdentity;
import io.blixard.node.NodeProperties;
import io.blixard.rpc.ServiceCatalogue;
import io.blixard.support.RpcMetering;
import io.blixard.transport.Transport;
import io.blixard.transport.quic.client.QuicClientSettings;
import io.blixard.transport.quic.client.QuicConnectionPool;
import io.blixard.transport.quic.client.QuicRpcChannel;
import io.blixard.transport.quic.server.QuicRpcServer;
import io.grpc.BindableService;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.springframework.util.unit.DataSize;

/** A QUIC server on a free loopback port serving the given services, and a client pool. */
public final class QuicLoopback implements AutoCloseable {

  public final NodeIdentity identity;
  public final SimpleMeterRegistry serverMeters = new SimpleMeterRegistry();
  public final SimpleMeterRegistry clientMeters = new SimpleMeterRegistry();
  public final QuicRpcServer server;
  public final QuicConnectionPool pool;
  public final QuicTransportProperties properties;

  public QuicLoopback(Path dir, List<BindableService> services) {
    this(
        dir,
        services,
        properties(QuicTransportProperties.ClientAuth.NONE, Duration.ofSeconds(30)),
        QuicClientSettings.defaults(),
        false);
  }

  public QuicLoopback(
      Path dir,
      List<BindableService> services,
      QuicTransportProperties properties,
      QuicClientSettings clientSettings,
      boolean clientPresentsIdentity) {
    this.properties = properties;
    identity = NodeIdentity.loadOrCreate(DataDirectory.open(dir.resolve("server")));
    NodeEndpoints endpoints =
        new NodeEndpoints(new NodeProperties(dir, "127.0.0.1", DataSize.ofMegabytes(1)));
    server =
        new QuicRpcServer(
            properties,
            identity,
            new ServiceCatalogue(services),
            RpcMetering.interceptors(serverMeters, Transport.QUIC),
            endpoints,
            new QuicMetrics(serverMeters, "server"));
    server.start();
    NodeIdentity clientIdentity =
        clientPresentsIdentity
            ? NodeIdentity.loadOrCreate(DataDirectory.open(dir.resolve("client")))
            : null;
    pool = new QuicConnectionPool(clientSettings, clientIdentity, clientMeters);
  }

  public static QuicTransportProperties properties(
      QuicTransportProperties.ClientAuth clientAuth, Duration idleTimeout) {
    return new QuicTransportProperties(
        0,
        "127.0.0.1",
        List.of(QuicAlpn.RPC, "blixard/health/1", "blixard/status/1", "blixard/monitoring/1"),
        clientAuth,
        DataSize.ofMegabytes(4),
        100,
        idleTimeout,
        DataSize.ofMegabytes(8),
        DataSize.ofMegabytes(32),
        4,
        Duration.ofSeconds(1),
        true,
        1000,
        100,
        DataSize.ofMegabytes(256),
        DataSize.ofMegabytes(128),
        Duration.ofSeconds(10));
  }

  /** host:port of the server, pinned to its node id. */
  /** Streams the server has open now (its {@code blixard.quic.streams} gauge). */
  public double serverStreamsOpen() {
    return serverMeters.get(QuicMetrics.STREAMS).tag("side", "server").gauge().value();
  }

  public NodeAddress target() {
    return NodeAddress.of(identity.nodeId(), "127.0.0.1", server.port());
  }

  public QuicRpcChannel channel() {
    return pool.channel(target());
  }

  @Override
  public void close() {
    pool.close();
    server.stop();
  }
}
