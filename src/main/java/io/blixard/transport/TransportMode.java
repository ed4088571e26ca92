package io.blixard.transport;

import java.util.EnumSet;
import java.util.Set;

/** Which transports the node listens on ({@code blixard.transport.mode}). */
public enum TransportMode {
  /** gRPC only. */
  GRPC(EnumSet.of(Transport.GRPC)),
  /** Blixard RPC on QUIC only. */
  QUIC(EnumSet.of(Transport.QUIC)),
  /** Both; the migration strategy says which one each service prefers. */
  DUAL(EnumSet.of(Transport.GRPC, Transport.QUIC));

  private final Set<Transport> transports;

  TransportMode(Set<Transport> transports) {
    this.transports = transports;
  }

  /** Whether a node in this mode listens on the given transport. */
  public boolean serves(Transport transport) {
    return transports.contains(transport);
  }

  public Set<Transport> transports() {
    return EnumSet.copyOf(transports);
  }
}
