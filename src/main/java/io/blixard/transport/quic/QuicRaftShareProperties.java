package io.blixard.transport.quic;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The share of the QUIC server's limits kept for Raft: calls of {@code blixard.raft.v1.RaftService}
 * from members' certificates count against these instead of the limits every other call shares, so
 * that a flood of client calls cannot starve consensus (docs/reliability.md, "Raft's share of the
 * QUIC limits").
 *
 * @param maxInboundBytes Most bytes the server holds for members' Raft calls together, apart from
 *     blixard.transport.quic.max-inbound-bytes: frames still arriving and messages waiting for
 *     their handlers. Each member connection may hold at most
 *     blixard.transport.quic.max-inbound-bytes-per-connection of it. At least the max-frame-size.
 * @param handlerThreads Threads that run members' Raft calls, apart from the handler threads every
 *     other call shares, so that slow client calls never queue a vote or an append behind them.
 * @param reservedConnections Connections the server takes beyond max-connections and
 *     max-connections-per-source, for members only: a connection over those limits is admitted into
 *     this slice, and closed with CONNECTION_REFUSED once its handshake shows a certificate that is
 *     not a member's. 0 keeps no slice.
 */
@Validated
@ConfigurationProperties("blixard.transport.quic.raft")
public record QuicRaftShareProperties(
    @DefaultValue("64MB") @NotNull DataSize maxInboundBytes,
    @DefaultValue("4") @Min(1) @Max(1024) int handlerThreads,
    @DefaultValue("16") @Min(0) @Max(100_000) int reservedConnections) {

  /** The defaults, for servers built without configuration. */
  public static QuicRaftShareProperties defaults() {
    return new QuicRaftShareProperties(DataSize.ofMegabytes(64), 4, 16);
  }

  public QuicRaftShareProperties {
    if (maxInboundBytes != null && maxInboundBytes.toBytes() <= 0) {
      throw new IllegalArgumentException(
          "blixard.transport.quic.raft.max-inbound-bytes: " + maxInboundBytes + " (expected: > 0)");
    }
  }

  /**
   * Checks this share against the listener's frame limit: the share holds at least one frame of the
   * largest size, or a Raft call of that size could never arrive.
   */
  public void checkAgainst(QuicTransportProperties quic) {
    long frame = quic.maxFrameSize().toBytes() + 24;
    if (maxInboundBytes.toBytes() < frame) {
      throw new IllegalArgumentException(
          "blixard.transport.quic.raft.max-inbound-bytes: "
              + maxInboundBytes
              + " (expected: at least the max-frame-size, "
              + quic.maxFrameSize()
              + ", and its 24-byte header)");
    }
  }
}
