package io.blixard.client;

/** Whether a client follows the node's migration strategy or pins one transport. */
public enum TransportPolicy {
  /** Follow the strategy, with fallback, retries and circuit breakers. */
  AUTO,
  /** Every call over gRPC. */
  GRPC,
  /** Every call over QUIC, with no fallback: for checking the QUIC path itself. */
  QUIC
}
