package io.blixard.transport;

import java.util.Locale;

/** The transports a node serves its services over. */
public enum Transport {
  /** gRPC over HTTP/2 on TCP. */
  GRPC,
  /** Blixard RPC over QUIC (docs/protocol.md). */
  QUIC;

  /** The lower-case name used in metric tags, settings and the CLI. */
  public String tag() {
    return name().toLowerCase(Locale.ROOT);
  }
}
