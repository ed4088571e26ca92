package io.blixard.node;

import java.net.InetSocketAddress;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The addresses this node is reachable at, one per listener. Listeners publish the port they bound
 * (which may differ from the configured one, e.g. port 0 in tests); the cluster registry and status
 * answers read them from here.
 */
@Component
public class NodeEndpoints {

  /** The kinds of listener a node has. */
  public enum Kind {
    RAFT,
    GRPC,
    QUIC,
    HTTP
  }

  private final NodeProperties properties;
  private final Map<Kind, InetSocketAddress> bound = new ConcurrentHashMap<>();

  public NodeEndpoints(NodeProperties properties) {
    this.properties = properties;
  }

  /** The host name or address other nodes and clients use to reach this node. */
  public String advertisedHost() {
    return properties.advertiseHost();
  }

  /** Records that the listener of this kind is bound to the given port. */
  public void publish(Kind kind, int port) {
    bound.put(kind, InetSocketAddress.createUnresolved(properties.advertiseHost(), port));
  }

  /** Records that the listener of this kind has stopped. */
  public void withdraw(Kind kind) {
    bound.remove(kind);
  }

  /** The advertised address of a listener, if it is running. */
  public Optional<InetSocketAddress> address(Kind kind) {
    return Optional.ofNullable(bound.get(kind));
  }

  /** The advertised {@code host:port} of a listener, or an empty string when it is not running. */
  public String hostAndPort(Kind kind) {
    return address(kind).map(a -> a.getHostString() + ":" + a.getPort()).orElse("");
  }
}
