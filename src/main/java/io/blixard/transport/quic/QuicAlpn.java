package io.blixard.transport.quic;

import io.blixard.rpc.ServiceNames;
import java.util.Optional;

/**
 * The ALPN names of Blixard RPC v1 (docs/protocol.md §1): {@code blixard/rpc/1} for every service,
 * {@code blixard/SERVICE/1} for a connection that may call one service only.
 */
public final class QuicAlpn {

  /** Every service the node serves over QUIC. */
  public static final String RPC = "blixard/rpc/1";

  private QuicAlpn() {}

  /** The ALPN that restricts a connection to one service, e.g. {@code blixard/health/1}. */
  public static String forService(String shortName) {
    return "blixard/" + ServiceNames.requireKnown(shortName, "ALPN service") + "/1";
  }

  /** Whether this is an ALPN name of v1. */
  public static boolean isValid(String alpn) {
    return RPC.equals(alpn) || restrictedService(alpn).isPresent();
  }

  /**
   * The service a connection negotiated with this ALPN is restricted to; empty for {@link #RPC} and
   * for names that are not v1's.
   */
  public static Optional<String> restrictedService(String alpn) {
    if (alpn == null || !alpn.startsWith("blixard/") || !alpn.endsWith("/1")) {
      return Optional.empty();
    }
    String service = alpn.substring("blixard/".length(), alpn.length() - "/1".length());
    return ServiceNames.KNOWN.contains(service) ? Optional.of(service) : Optional.empty();
  }
}
