package io.blixard.transport;

import java.net.InetAddress;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How many connections a listener holds, in all and per source address, against its {@code
 * max-connections} and {@code max-connections-per-source} settings: the one rule both the QUIC and
 * the gRPC server apply to a new connection. Thread-safe.
 */
public final class ConnectionLimits {

  /** Why a connection was refused; the tag of the refused-connections metrics. */
  public enum Refusal {
    MAX_CONNECTIONS,
    MAX_CONNECTIONS_PER_SOURCE;

    /** Lower-case form for metric tags. */
    public String tag() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** A refusal and the one line that says it. */
  public record Refused(Refusal reason, String message) {}

  private final String transport;
  private final String settings;
  private final int maxConnections;
  private final int maxPerSource;
  // Guarded by this.
  private final Map<InetAddress, Integer> perSource = new HashMap<>();
  private int held;

  /**
   * @param transport as messages name it: "QUIC", "gRPC"
   * @param settings the settings' prefix, e.g. {@code blixard.transport.quic}
   */
  public ConnectionLimits(String transport, String settings, int maxConnections, int maxPerSource) {
    this.transport = transport;
    this.settings = settings;
    this.maxConnections = maxConnections;
    this.maxPerSource = maxPerSource;
  }

  /** Counts a new connection from {@code source} (null: unknown) in, unless a limit is reached. */
  public synchronized Optional<Refused> admit(InetAddress source) {
    if (held >= maxConnections) {
      return Optional.of(
          new Refused(
              Refusal.MAX_CONNECTIONS,
              "the server holds "
                  + held
                  + " "
                  + transport
                  + " connections, its limit ("
                  + settings
                  + ".max-connections); try again later"));
    }
    int fromSource = source == null ? 0 : perSource.getOrDefault(source, 0);
    if (fromSource >= maxPerSource) {
      return Optional.of(
          new Refused(
              Refusal.MAX_CONNECTIONS_PER_SOURCE,
              "the server holds "
                  + fromSource
                  + " "
                  + transport
                  + " connections from "
                  + source.getHostAddress()
                  + ", its limit per address ("
                  + settings
                  + ".max-connections-per-source)"));
    }
    held++;
    if (source != null) {
      perSource.merge(source, 1, Integer::sum);
    }
    return Optional.empty();
  }

  /** Counts a connection admitted before out. */
  public synchronized void release(InetAddress source) {
    held--;
    if (source != null) {
      perSource.computeIfPresent(source, (address, count) -> count == 1 ? null : count - 1);
    }
  }

  /** Connections counted now. */
  public synchronized int held() {
    return held;
  }
}
