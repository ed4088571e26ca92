package io.blixard.transport.grpc;

import io.blixard.node.NodeAddress;
import io.blixard.node.NodeIdentity;
import io.blixard.security.NodeIdTrustManager;
import io.blixard.transport.ChannelFactory;
import io.blixard.transport.Transport;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * gRPC client channels to nodes, the one place a client's gRPC channel is built: plaintext, or TLS
 * 1.3 trusting the server by node id ({@link NodeIdTrustManager}) — pinned to the id the address
 * names ({@code NODEID@host:port}), else recording whom it reached — with the node's own
 * certificate as client certificate when it has an identity. In {@link Tls#AUTO} it finds out per
 * address whether the port speaks TLS ({@link GrpcTlsProbe}: a plaintext HTTP/2 server speaks
 * first, a TLS server waits for the client's hello), and then pins the node it met.
 */
public final class GrpcChannelFactory implements ChannelFactory {

  private static final Logger log = LoggerFactory.getLogger(GrpcChannelFactory.class);

  /** Whether channels speak TLS. */
  public enum Tls {
    /** Plaintext HTTP/2. */
    OFF,
    /** TLS 1.3, the server trusted by node id. */
    ON,
    /**
     * Whichever the port speaks, found out by one probe connection before the channel is made (for
     * clients that are given only {@code host:port}, as the command line is).
     */
    AUTO
  }

  private final Tls tls;
  private final NodeIdentity identity;
  private final Duration detectTimeout;
  private final int maxInboundMessageSize;
  private final Map<NodeAddress, ManagedChannel> shared = new ConcurrentHashMap<>();
  private volatile boolean closed;

  private GrpcChannelFactory(
      Tls tls, NodeIdentity identity, Duration detectTimeout, int maxInboundMessageSize) {
    this.tls = Objects.requireNonNull(tls, "tls");
    this.identity = identity;
    this.detectTimeout = Objects.requireNonNull(detectTimeout, "detectTimeout");
    if (detectTimeout.isNegative() || detectTimeout.isZero()) {
      throw new IllegalArgumentException("detectTimeout: " + detectTimeout + " (expected: > 0)");
    }
    if (maxInboundMessageSize < 1) {
      throw new IllegalArgumentException(
          "maxInboundMessageSize: " + maxInboundMessageSize + " (expected: > 0)");
    }
    this.maxInboundMessageSize = maxInboundMessageSize;
  }

  /**
   * Channels that speak as {@code tls} says.
   *
   * @param identity the node's identity, presented as client certificate over TLS; null for a
   *     client that has none
   * @param detectTimeout for {@link Tls#AUTO}: longest wait for the TCP connect, and again for the
   *     handshake, of the probe
   */
  public static GrpcChannelFactory of(Tls tls, NodeIdentity identity, Duration detectTimeout) {
    return new GrpcChannelFactory(tls, identity, detectTimeout, 4 * 1024 * 1024);
  }

  /** Plaintext channels. */
  public static GrpcChannelFactory plaintext() {
    return of(Tls.OFF, null, Duration.ofSeconds(5));
  }

  /**
   * TLS channels.
   *
   * @param identity presented as client certificate, or null
   */
  public static GrpcChannelFactory tls(NodeIdentity identity) {
    return of(Tls.ON, identity, Duration.ofSeconds(5));
  }

  /** The same factory with a larger (or smaller) limit on the messages a server may send. */
  public GrpcChannelFactory withMaxInboundMessageSize(int bytes) {
    return new GrpcChannelFactory(tls, identity, detectTimeout, bytes);
  }

  /** The identity presented as client certificate; null for a client without one. */
  public NodeIdentity identity() {
    return identity;
  }

  /** Whether channels speak TLS. */
  public Tls tls() {
    return tls;
  }

  @Override
  public Transport transport() {
    return Transport.GRPC;
  }

  @Override
  public ManagedChannel channel(NodeAddress address) {
    Objects.requireNonNull(address, "address");
    requireOpen();
    ManagedChannel channel = shared.computeIfAbsent(address, this::newChannel);
    if (closed) {
      // close() ran while this channel was made: it may have missed it.
      channel.shutdownNow();
      requireOpen();
    }
    return channel;
  }

  /**
   * A channel of the caller's own, on a connection of its own: the caller shuts it down. The
   * benchmark measures connections this way; most callers want {@link #channel(NodeAddress)}.
   *
   * @throws io.grpc.StatusRuntimeException UNAVAILABLE in {@link Tls#AUTO} when the port cannot be
   *     reached to find out whether it speaks TLS
   */
  public ManagedChannel newChannel(NodeAddress address) {
    Objects.requireNonNull(address, "address");
    requireOpen();
    NettyChannelBuilder builder =
        NettyChannelBuilder.forAddress(address.host(), address.port())
            .maxInboundMessageSize(maxInboundMessageSize);
    NodeAddress target = address;
    boolean useTls = tls == Tls.ON;
    if (tls == Tls.AUTO) {
      GrpcTlsProbe.Result probe = GrpcTlsProbe.probe(address, detectTimeout);
      useTls = probe.tls();
      if (useTls && !address.pinned() && probe.nodeId().isPresent()) {
        // Every later connection of this channel must reach the node the probe met.
        target = address.pinnedTo(probe.nodeId().get());
      }
      log.debug("gRPC port {} speaks {}", address, useTls ? "TLS" : "plaintext");
    }
    if (!useTls) {
      return builder.usePlaintext().build();
    }
    NodeIdTrustManager trust =
        target.nodeId().map(NodeIdTrustManager::pinned).orElseGet(NodeIdTrustManager::recording);
    builder.sslContext(GrpcTls.clientContext(trust, identity));
    // The node's certificate names NODEID.blixard, never the host it was dialled by.
    target.nodeId().ifPresent(id -> builder.overrideAuthority(id.value() + ".blixard"));
    return builder.build();
  }

  private void requireOpen() {
    if (closed) {
      throw new IllegalStateException(
          "the gRPC channel factory is closed (the client is stopping)");
    }
  }

  @Override
  public void close() {
    closed = true;
    shared.values().forEach(ManagedChannel::shutdownNow);
    for (ManagedChannel channel : shared.values()) {
      try {
        channel.awaitTermination(2, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
    shared.clear();
  }
}
