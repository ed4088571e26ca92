package io.blixard.transport.quic.server;

import io.blixard.node.NodeId;
import io.blixard.transport.quic.QuicRaftShareProperties;
import java.util.Objects;
import java.util.function.Predicate;

/**
 * What the QUIC server keeps a share of its limits for: calls of {@code
 * blixard.raft.v1.RaftService} from the certificates of members (those the Raft engine takes calls
 * from), and how large that share is ({@link QuicRaftShareProperties}).
 *
 * @param members whether Raft takes calls from this node id now; false for every id on a node that
 *     does not run Raft over QUIC
 */
public record RaftShare(QuicRaftShareProperties limits, Predicate<NodeId> members) {

  /** The Raft service's name: its calls, and no others, count against this share. */
  public static final String SERVICE = "blixard.raft.v1.RaftService";

  public RaftShare {
    Objects.requireNonNull(limits, "limits");
    Objects.requireNonNull(members, "members");
  }

  /** No member and no slice of connections: a server that serves no Raft. */
  public static RaftShare none() {
    QuicRaftShareProperties defaults = QuicRaftShareProperties.defaults();
    return new RaftShare(
        new QuicRaftShareProperties(defaults.maxInboundBytes(), defaults.handlerThreads(), 0),
        id -> false);
  }

  /** Whether a call of {@code method} counts against this share when a member makes it. */
  static boolean isRaftMethod(String method) {
    return method != null
        && method.length() > SERVICE.length()
        && method.startsWith(SERVICE)
        && method.charAt(SERVICE.length()) == '/';
  }
}
