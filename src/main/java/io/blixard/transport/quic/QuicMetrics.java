package io.blixard.transport.quic;

import io.blixard.transport.quic.codec.FrameError;
import io.blixard.transport.quic.codec.InboundBudget;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The QUIC transport's own meters, beyond the per-call timers it shares with gRPC: connections and
 * streams open, failed handshakes, failed dials, and frames rejected by reason. Tagged {@code side}
 * server or client.
 */
public final class QuicMetrics {

  public static final String CONNECTIONS = "blixard.quic.connections";
  public static final String STREAMS = "blixard.quic.streams";
  public static final String HANDSHAKE_FAILURES = "blixard.quic.handshake.failures";
  public static final String FRAMES_REJECTED = "blixard.quic.frames.rejected";
  public static final String DIAL_FAILURES = "blixard.quic.dial.failures";
  public static final String CONNECTIONS_REFUSED = "blixard.quic.connections.refused";
  public static final String INBOUND_BYTES = "blixard.quic.inbound.bytes";
  public static final String CONNECTIONS_RESERVED = "blixard.quic.connections.reserved";

  /** The {@code share} tag of the inbound-bytes gauge: every client's share. */
  public static final String SHARE_CLIENTS = "clients";

  /** The {@code share} tag of the inbound-bytes gauge: members' Raft calls. */
  public static final String SHARE_RAFT = "raft";

  /** Why the server refused a connection; the tag of the refused-connections metric. */
  public enum Refusal {
    /** The server held max-connections already. */
    MAX_CONNECTIONS,
    /** The client's address held max-connections-per-source already. */
    MAX_CONNECTIONS_PER_SOURCE,
    /**
     * An Initial came with a Retry token that was forged, expired or minted for another address.
     */
    INVALID_TOKEN;

    /** Lower-case form for metric tags. */
    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  private final AtomicLong connections = new AtomicLong();
  private final AtomicLong streams = new AtomicLong();
  private final Counter handshakeFailures;
  private final Counter dialFailures;
  private final Map<FrameError.Reason, Counter> rejected = new EnumMap<>(FrameError.Reason.class);
  private final Map<Refusal, Counter> refused = new EnumMap<>(Refusal.class);
  private final MeterRegistry registry;
  private final String side;

  public QuicMetrics(MeterRegistry registry, String side) {
    this.registry = registry;
    this.side = side;
    Gauge.builder(CONNECTIONS, connections, AtomicLong::get)
        .description("QUIC connections open")
        .tag("side", side)
        .register(registry);
    Gauge.builder(STREAMS, streams, AtomicLong::get)
        .description("QUIC streams (calls) open")
        .tag("side", side)
        .register(registry);
    handshakeFailures =
        Counter.builder(HANDSHAKE_FAILURES)
            .description("QUIC connections whose TLS handshake failed")
            .tag("side", side)
            .register(registry);
    dialFailures =
        Counter.builder(DIAL_FAILURES)
            .description("Connections this side tried to open and could not (client side only)")
            .tag("side", side)
            .register(registry);
    for (FrameError.Reason reason : FrameError.Reason.values()) {
      rejected.put(
          reason,
          Counter.builder(FRAMES_REJECTED)
              .description("Frames refused as breaking the protocol, by reason")
              .tag("side", side)
              .tag("reason", reason.tag())
              .register(registry));
    }
    for (Refusal reason : Refusal.values()) {
      refused.put(
          reason,
          Counter.builder(CONNECTIONS_REFUSED)
              .description("Connections the server refused, by reason (server side only)")
              .tag("side", side)
              .tag("reason", reason.tag())
              .register(registry));
    }
  }

  /**
   * Reports the bytes {@code budget} counts now, as the inbound-bytes gauge of {@code share}
   * ({@link #SHARE_CLIENTS} or {@link #SHARE_RAFT}).
   */
  public void watch(InboundBudget budget, String share) {
    Gauge.builder(INBOUND_BYTES, budget, InboundBudget::used)
        .description(
            "Inbound bytes the server holds: frames still arriving and messages waiting for their"
                + " handlers, by share (clients, or members' Raft calls)")
        .baseUnit("bytes")
        .tag("side", side)
        .tag("share", share)
        .register(registry);
  }

  /** Reports the connections held in the slice kept for members beyond max-connections. */
  public void watchReserved(AtomicInteger reserved) {
    Gauge.builder(CONNECTIONS_RESERVED, reserved, AtomicInteger::get)
        .description(
            "QUIC connections the server holds beyond max-connections or"
                + " max-connections-per-source, in the slice kept for members (server side only)")
        .tag("side", side)
        .register(registry);
  }

  public void connectionRefused(Refusal reason) {
    refused.get(reason).increment();
  }

  public void connectionOpened() {
    connections.incrementAndGet();
  }

  public void connectionClosed() {
    connections.decrementAndGet();
  }

  public void streamOpened() {
    streams.incrementAndGet();
  }

  public void streamClosed() {
    streams.decrementAndGet();
  }

  public void handshakeFailed() {
    handshakeFailures.increment();
  }

  public void dialFailed() {
    dialFailures.increment();
  }

  public void frameRejected(FrameError.Reason reason) {
    rejected.get(reason).increment();
  }
}
