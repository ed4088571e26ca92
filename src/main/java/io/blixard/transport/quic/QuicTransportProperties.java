package io.blixard.transport.quic;

import io.blixard.rpc.ServiceNames;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotEmpty;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The QUIC listener and its limits (docs/protocol.md §1, §5).
 *
 * @param port UDP port of the QUIC server. 0 picks a free port (kept across a stop and start).
 * @param bindAddress Address the QUIC server listens on.
 * @param alpnProtocols ALPN names the server offers: blixard/rpc/1 for every service, and
 *     blixard/SERVICE/1 for a connection restricted to one service.
 * @param clientAuth Whether clients present their certificate (a node's or an operator's): none,
 *     want or need. Need by default; secure mode refuses none; insecure mode makes none the
 *     default.
 * @param maxFrameSize Largest frame payload accepted; a larger one is refused from its header,
 *     before any of it is buffered. The same default as gRPC's largest message.
 * @param maxConcurrentStreams How many calls one connection may have open at once; further streams
 *     wait for QUIC flow control.
 * @param idleTimeout How long a connection may stay silent before it is closed; also how long a new
 *     stream may take to deliver its first whole frame.
 * @param streamWindow How many bytes a peer may send on one stream before it must wait for the
 *     receiver (QUIC stream flow-control window).
 * @param connectionWindow How many bytes a peer may send on one connection, across its streams,
 *     before it must wait (QUIC connection flow-control window).
 * @param handlerThreads Threads that run service handlers, off the network event loop. 0 uses twice
 *     the number of processors, at least 4.
 * @param shutdownGracePeriod How long calls in flight may run on after shutdown begins; shutdown
 *     goes on as soon as the last one ends, and cancels those still open when it is over.
 * @param retry Whether a client's address is validated with a QUIC Retry (a token signed with a key
 *     of this process) before the server keeps any state for its connection: one round trip more
 *     per new connection, and per-source limits that a spoofed address cannot dodge.
 * @param maxConnections Most QUIC connections the server holds at once; a further one is closed
 *     with CONNECTION_REFUSED and a reason.
 * @param maxConnectionsPerSource Most QUIC connections from one IP address.
 * @param maxInboundBytes Most bytes the server holds for all its peers together: frames still
 *     arriving and messages waiting for their handlers. A frame that would pass it is refused with
 *     RESOURCE_EXHAUSTED, its payload never buffered.
 * @param maxInboundBytesPerConnection Most of those bytes one connection may hold, so that one peer
 *     cannot take what the others need. At least the max-frame-size.
 * @param frameTimeout How long a frame may take from its header to its last byte; a frame not
 *     complete by then ends its call with DEADLINE_EXCEEDED and frees what it held.
 */
@Validated
@ConfigurationProperties("blixard.transport.quic")
public record QuicTransportProperties(
    @DefaultValue("7002") @Min(0) @Max(65535) int port,
    @DefaultValue("0.0.0.0") @NotBlank String bindAddress,
    @DefaultValue({QuicAlpn.RPC, "blixard/health/1", "blixard/status/1", "blixard/monitoring/1"})
        @NotEmpty
        List<String> alpnProtocols,
    @DefaultValue("need") @NotNull ClientAuth clientAuth,
    @DefaultValue("4MB") @NotNull DataSize maxFrameSize,
    @DefaultValue("100") @Min(1) @Max(1_000_000) long maxConcurrentStreams,
    @DefaultValue("30s") @NotNull Duration idleTimeout,
    @DefaultValue("8MB") @NotNull DataSize streamWindow,
    @DefaultValue("32MB") @NotNull DataSize connectionWindow,
    @DefaultValue("0") @Min(0) @Max(1024) int handlerThreads,
    @DefaultValue("5s") @NotNull Duration shutdownGracePeriod,
    @DefaultValue("true") boolean retry,
    @DefaultValue("1000") @Min(1) @Max(1_000_000) int maxConnections,
    @DefaultValue("100") @Min(1) @Max(1_000_000) int maxConnectionsPerSource,
    @DefaultValue("256MB") @NotNull DataSize maxInboundBytes,
    @DefaultValue("128MB") @NotNull DataSize maxInboundBytesPerConnection,
    @DefaultValue("10s") @NotNull Duration frameTimeout) {

  /**
   * Socket buffers asked for on QUIC's UDP sockets, sending and receiving: the kernel default
   * (about 200 KiB) drops datagrams in bursts, which QUIC must then recover as loss. Linux caps
   * what it grants at net.core.rmem_max and wmem_max.
   */
  public static final int UDP_BUFFER_BYTES = 4 * 1024 * 1024;

  /** Whether clients present a certificate. */
  public enum ClientAuth {
    /** Clients are anonymous. */
    NONE,
    /** Clients may present their node certificate. */
    WANT,
    /** Clients must present their node certificate. */
    NEED
  }

  public QuicTransportProperties {
    if (alpnProtocols != null) {
      alpnProtocols = List.copyOf(alpnProtocols);
      for (String alpn : alpnProtocols) {
        if (!QuicAlpn.isValid(alpn)) {
          throw new IllegalArgumentException(
              "blixard.transport.quic.alpn-protocols: \""
                  + alpn
                  + "\" (expected: "
                  + QuicAlpn.RPC
                  + " or blixard/SERVICE/1 with SERVICE one of "
                  + ServiceNames.KNOWN
                  + ")");
        }
      }
    }
    if (maxFrameSize != null
        && (maxFrameSize.toBytes() < 1024 || maxFrameSize.toBytes() > Integer.MAX_VALUE)) {
      throw new IllegalArgumentException(
          "blixard.transport.quic.max-frame-size: " + maxFrameSize + " (expected: 1KB to 2GB)");
    }
    if (idleTimeout != null && (idleTimeout.isNegative() || idleTimeout.toMillis() < 100)) {
      throw new IllegalArgumentException(
          "blixard.transport.quic.idle-timeout: " + idleTimeout + " (expected: at least 100ms)");
    }
    if (streamWindow != null && maxFrameSize != null && streamWindow.toBytes() < 65536) {
      throw new IllegalArgumentException(
          "blixard.transport.quic.stream-window: " + streamWindow + " (expected: at least 64KB)");
    }
    if (connectionWindow != null
        && streamWindow != null
        && connectionWindow.toBytes() < streamWindow.toBytes()) {
      throw new IllegalArgumentException(
          "blixard.transport.quic.connection-window: "
              + connectionWindow
              + " (expected: at least the stream-window, "
              + streamWindow
              + ")");
    }
    checkLimits(maxFrameSize, maxInboundBytes, maxInboundBytesPerConnection, frameTimeout);
  }

  /**
   * The settings of these limits that depend on one another, checked together: a connection's share
   * holds at least one frame of the largest size, the node's budget at least one connection's.
   */
  private static void checkLimits(
      DataSize maxFrameSize,
      DataSize maxInboundBytes,
      DataSize maxInboundBytesPerConnection,
      Duration frameTimeout) {
    if (maxFrameSize != null
        && maxInboundBytesPerConnection != null
        && maxInboundBytesPerConnection.toBytes() < maxFrameSize.toBytes() + 24) {
      throw new IllegalArgumentException(
          "blixard.transport.quic.max-inbound-bytes-per-connection: "
              + maxInboundBytesPerConnection
              + " (expected: at least the max-frame-size, "
              + maxFrameSize
              + ", and its 24-byte header)");
    }
    if (maxInboundBytes != null
        && maxInboundBytesPerConnection != null
        && maxInboundBytes.toBytes() < maxInboundBytesPerConnection.toBytes()) {
      throw new IllegalArgumentException(
          "blixard.transport.quic.max-inbound-bytes: "
              + maxInboundBytes
              + " (expected: at least the max-inbound-bytes-per-connection, "
              + maxInboundBytesPerConnection
              + ")");
    }
    if (frameTimeout != null && frameTimeout.toMillis() < 100) {
      throw new IllegalArgumentException(
          "blixard.transport.quic.frame-timeout: " + frameTimeout + " (expected: at least 100ms)");
    }
  }

  /** The handler thread count, with 0 resolved. */
  public int effectiveHandlerThreads() {
    return handlerThreads > 0
        ? handlerThreads
        : Math.max(4, 2 * Runtime.getRuntime().availableProcessors());
  }
}
