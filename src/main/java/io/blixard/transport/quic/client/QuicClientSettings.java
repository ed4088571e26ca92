package io.blixard.transport.quic.client;

import io.blixard.transport.quic.QuicAlpn;
import io.blixard.transport.quic.QuicTransportProperties;
import java.time.Duration;
import java.util.Objects;

/**
 * How a QUIC client connects and pools connections.
 *
 * @param alpn the ALPN to ask for: {@code blixard/rpc/1}, or one service's
 * @param maxFrameSize largest frame accepted from a server
 * @param connectTimeout longest wait for a connection and its handshake
 * @param idleTimeout QUIC idle timeout of a connection
 * @param keepAliveInterval how often each pooled connection is probed with a PING frame, with or
 *     without calls open, which keeps it from the idle timeout and finds a dead peer; zero turns
 *     keep-alive off
 * @param idleEviction how long a connection without calls stays in the pool
 * @param maxConnections most connections the pool holds; the least recently used idle one is closed
 *     to make room
 * @param streamWindow QUIC stream flow-control window
 * @param connectionWindow QUIC connection flow-control window
 */
public record QuicClientSettings(
    String alpn,
    int maxFrameSize,
    Duration connectTimeout,
    Duration idleTimeout,
    Duration keepAliveInterval,
    Duration idleEviction,
    int maxConnections,
    long streamWindow,
    long connectionWindow) {

  public QuicClientSettings {
    Objects.requireNonNull(alpn, "alpn");
    if (!QuicAlpn.isValid(alpn)) {
      throw new IllegalArgumentException(
          "alpn: \"" + alpn + "\" (expected: " + QuicAlpn.RPC + " or blixard/SERVICE/1)");
    }
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections: " + maxConnections + " (expected: > 0)");
    }
  }

  /**
   * The defaults: every service, 4 MiB frames, 5 s to connect, 30 s idle, keep-alive every 10 s.
   */
  public static QuicClientSettings defaults() {
    return new QuicClientSettings(
        QuicAlpn.RPC,
        4 * 1024 * 1024,
        Duration.ofSeconds(5),
        Duration.ofSeconds(30),
        Duration.ofSeconds(10),
        Duration.ofMinutes(5),
        256,
        8L * 1024 * 1024,
        32L * 1024 * 1024);
  }

  /** The client side of a node's own QUIC settings, for calls to its peers. */
  public static QuicClientSettings from(QuicTransportProperties properties) {
    QuicClientSettings d = defaults();
    return new QuicClientSettings(
        QuicAlpn.RPC,
        (int) properties.maxFrameSize().toBytes(),
        d.connectTimeout(),
        properties.idleTimeout(),
        properties.idleTimeout().dividedBy(3),
        d.idleEviction(),
        d.maxConnections(),
        properties.streamWindow().toBytes(),
        properties.connectionWindow().toBytes());
  }

  public QuicClientSettings withAlpn(String alpn) {
    return new QuicClientSettings(
        alpn,
        maxFrameSize,
        connectTimeout,
        idleTimeout,
        keepAliveInterval,
        idleEviction,
        maxConnections,
        streamWindow,
        connectionWindow);
  }

  public QuicClientSettings withMaxConnections(int max) {
    return new QuicClientSettings(
        alpn,
        maxFrameSize,
        connectTimeout,
        idleTimeout,
        keepAliveInterval,
        idleEviction,
        max,
        streamWindow,
        connectionWindow);
  }
}
