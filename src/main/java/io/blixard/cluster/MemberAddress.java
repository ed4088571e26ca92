package io.blixard.cluster;

import io.blixard.node.NodeId;
import java.util.Objects;
import java.util.Optional;

/**
 * The address of a cluster member as operators write it: {@code host:grpcPort}, or {@code
 * NODEID@host:quicPort} for a member reached over QUIC by its node id. Every place that reads a
 * member address parses it here.
 *
 * @param nodeId the id the member must prove, present only in the QUIC form
 */
public record MemberAddress(Optional<NodeId> nodeId, String host, int port) {

  public MemberAddress {
    Objects.requireNonNull(nodeId, "nodeId");
    Objects.requireNonNull(host, "host");
    if (host.isBlank()) {
      throw new IllegalArgumentException("member address: empty host (expected: host:port)");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "member address " + host + ":" + port + ": port " + port + " (expected: 1-65535)");
    }
  }

  /** The transport a member address names. */
  public enum Kind {
    /** {@code host:grpcPort}. */
    GRPC,
    /** {@code NODEID@host:quicPort}. */
    QUIC
  }

  /**
   * Parses {@code host:port}, {@code [ipv6]:port} or {@code NODEID@host:port}.
   *
   * @throws IllegalArgumentException naming the text and the expected forms
   */
  public static MemberAddress parse(String text) {
    Objects.requireNonNull(text, "text");
    String rest = text.trim();
    Optional<NodeId> id = Optional.empty();
    int at = rest.indexOf('@');
    try {
      if (at >= 0) {
        id = Optional.of(NodeId.parse(rest.substring(0, at)));
        rest = rest.substring(at + 1);
      }
      int colon = rest.lastIndexOf(':');
      if (colon <= 0 || colon == rest.length() - 1) {
        throw new IllegalArgumentException("no port");
      }
      String host = rest.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return new MemberAddress(id, host, Integer.parseInt(rest.substring(colon + 1)));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "member address \""
              + text
              + "\": "
              + e.getMessage()
              + " (expected: host:grpcPort or NODEID@host:quicPort)",
          e);
    }
  }

  public Kind kind() {
    return nodeId.isPresent() ? Kind.QUIC : Kind.GRPC;
  }

  /** {@code host:port}, with brackets around an IPv6 host. */
  public String hostAndPort() {
    return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
  }

  @Override
  public String toString() {
    return nodeId.map(id -> id.value() + "@").orElse("") + hostAndPort();
  }
}
