package io.blixard.transport.quic.client;

import io.blixard.node.NodeId;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a QUIC client dials: {@code host:port}, or {@code NODEID@host:port} to refuse any server
 * whose certificate does not hash to NODEID (docs/protocol.md §1).
 */
public record QuicTarget(NodeId nodeId, String host, int port) {

  public QuicTarget {
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("host: \"\" (expected: a host name or address)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1 to 65535)");
    }
  }

  /** Parses {@code host:port}, {@code [v6]:port} or {@code NODEID@host:port}. */
  public static QuicTarget parse(String text) {
    Objects.requireNonNull(text, "text");
    String rest = text.trim();
    NodeId nodeId = null;
    int at = rest.indexOf('@');
    if (at >= 0) {
      nodeId = NodeId.parse(rest.substring(0, at));
      rest = rest.substring(at + 1);
    }
    int colon = rest.lastIndexOf(':');
    if (colon <= 0 || colon == rest.length() - 1) {
      throw new IllegalArgumentException(
          "QUIC address \"" + text + "\" (expected: host:port or NODEID@host:port)");
    }
    String host = rest.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(rest.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "QUIC address \"" + text + "\": port is not a number (expected: host:port)", e);
    }
    return new QuicTarget(nodeId, host, port);
  }

  /** The pinned node id, if any. */
  public Optional<NodeId> pinned() {
    return Optional.ofNullable(nodeId);
  }

  /** The same address pinned to a node id. */
  public QuicTarget pinnedTo(NodeId id) {
    return new QuicTarget(id, host, port);
  }

  @Override
  public String toString() {
    String address = host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    return nodeId == null ? address : nodeId + "@" + address;
  }
}
