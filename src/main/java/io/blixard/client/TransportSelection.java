package io.blixard.client;

import io.blixard.transport.Transport;
import java.util.Objects;

/**
 * Which transport a call to a peer goes over first, and whether it may move to gRPC when QUIC
 * cannot take it: the selection policy of a {@link TransportChoosingChannel}. {@link
 * StrategySelection} follows the peer's migration strategy; {@link #pinned} uses one transport and
 * never moves.
 */
interface TransportSelection {

  /** The transport of a call and why it was chosen (a metric tag). */
  record Choice(Transport transport, String reason) {
    public Choice {
      Objects.requireNonNull(transport, "transport");
      Objects.requireNonNull(reason, "reason");
    }
  }

  /** The transport a call to this service (its short name, e.g. {@code health}) goes over. */
  Choice select(String service);

  /**
   * Whether a call QUIC cannot take at all (the peer has no QUIC address, or its QUIC circuit is
   * open) goes over gRPC instead: where the service is served on gRPC.
   */
  boolean mayReroute(String service);

  /**
   * Whether a call whose QUIC attempt failed, and that is safe to send again, may be sent over
   * gRPC: the strategy's fallback-to-grpc, where the service is served on gRPC.
   */
  boolean mayFallBack(String service);

  /** Every call over this transport, never moved to another. */
  static TransportSelection pinned(Transport transport) {
    Choice choice = new Choice(transport, "pinned");
    return new TransportSelection() {
      @Override
      public Choice select(String service) {
        return choice;
      }

      @Override
      public boolean mayReroute(String service) {
        return false;
      }

      @Override
      public boolean mayFallBack(String service) {
        return false;
      }

      @Override
      public String toString() {
        return "pinned to " + transport.tag();
      }
    };
  }
}
