package io.blixard.node;

import java.util.Objects;
import java.util.Optional;

/**
 * Where a node is reached, as operators and clients write it: {@code host:port}, {@code
 * [ipv6]:port}, or {@code NODEID@host:port} to accept only the node whose certificate hashes to
 * NODEID. Every place that reads such an address parses it here; what the port is (gRPC or QUIC) is
 * for the caller to say.
 *
 * @param nodeId the id the node must prove, if the address names one
 * @param host host name or address, without brackets
 * @param port 1 to 65535
 */
public record NodeAddress(Optional<NodeId> nodeId, String host, int port) {

  /** The forms {@link #parse} accepts, as error messages name them. */
  public static final String FORMS = "host:port or NODEID@host:port";

  public NodeAddress {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException(
          "host: \"" + host + "\" (expected: a host name or address)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1 to 65535)");
    }
  }

  /** {@code host:port}, naming no node. */
  public static NodeAddress of(String host, int port) {
    return new NodeAddress(Optional.empty(), host, port);
  }

  /** {@code NODEID@host:port}. */
  public static NodeAddress of(NodeId nodeId, String host, int port) {
    return new NodeAddress(Optional.of(Objects.requireNonNull(nodeId, "nodeId")), host, port);
  }

  /** Parses an address; errors name it "address". */
  public static NodeAddress parse(String text) {
    return parse("address", text);
  }

  /**
   * Parses {@code host:port}, {@code [ipv6]:port} or {@code NODEID@host:port} (upper-case ids too).
   *
   * @param what what the text is, for the error: a setting or option name such as {@code
   *     blixard.cluster.join} or {@code --node}
   * @throws IllegalArgumentException in one line: {@code what: "text" (expected: host:port or
   *     NODEID@host:port; what was wrong)}
   */
  public static NodeAddress parse(String what, String text) {
    Objects.requireNonNull(what, "what");
    if (text == null) {
      throw invalid(what, null, null);
    }
    String rest = text.trim();
    Optional<NodeId> id = Optional.empty();
    int at = rest.indexOf('@');
    if (at >= 0) {
      try {
        id = Optional.of(NodeId.parse(rest.substring(0, at)));
      } catch (IllegalArgumentException e) {
        throw invalid(what, text, e.getMessage());
      }
      rest = rest.substring(at + 1);
    }
    int colon = rest.lastIndexOf(':');
    if (colon < 0 || colon == rest.length() - 1) {
      throw invalid(what, text, null);
    }
    String host = rest.substring(0, colon);
    if (host.startsWith("[") || host.endsWith("]")) {
      if (!host.startsWith("[") || !host.endsWith("]")) {
        throw invalid(what, text, "unbalanced brackets around the host");
      }
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      throw invalid(what, text, "an IPv6 host goes in brackets, [::1]:port");
    }
    if (host.isBlank()) {
      throw invalid(what, text, "no host");
    }
    String portText = rest.substring(colon + 1);
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      throw invalid(what, text, "port \"" + portText + "\" is not a number");
    }
    if (port < 1 || port > 65535) {
      throw invalid(what, text, "port " + port + " is not from 1 to 65535");
    }
    return new NodeAddress(id, host, port);
  }

  /**
   * Parses {@code host:port} where no node id belongs (an HTTP address, say).
   *
   * @throws IllegalArgumentException as {@link #parse(String, String)}, and for a node id
   */
  public static NodeAddress parseHostAndPort(String what, String text) {
    NodeAddress address;
    try {
      address = parse(what, text);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(e.getMessage().replace(FORMS, "host:port"), e);
    }
    if (address.nodeId.isPresent()) {
      throw new IllegalArgumentException(
          what + ": \"" + text + "\" (expected: host:port; a node id does not belong here)");
    }
    return address;
  }

  private static IllegalArgumentException invalid(String what, String text, String detail) {
    return new IllegalArgumentException(
        what
            + ": "
            + (text == null ? "null" : "\"" + text + "\"")
            + " (expected: "
            + FORMS
            + (detail == null ? "" : "; " + detail)
            + ")");
  }

  /** Whether the address names the node it must reach. */
  public boolean pinned() {
    return nodeId.isPresent();
  }

  /** The same host and port, pinned to this node id. */
  public NodeAddress pinnedTo(NodeId id) {
    return of(id, host, port);
  }

  /** The same host and port, naming no node. */
  public NodeAddress unpinned() {
    return of(host, port);
  }

  /**
   * {@code host:port}, with brackets around an IPv6 host: what socket APIs and gRPC targets take.
   */
  public String hostAndPort() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  /** The address as {@link #parse} reads it back. */
  @Override
  public String toString() {
    return nodeId.map(id -> id.value() + "@").orElse("") + hostAndPort();
  }
}
