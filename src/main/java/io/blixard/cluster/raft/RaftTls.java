package io.blixard.cluster.raft;

import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.security.MemberTrust;
import io.blixard.security.MemberTrustManager;
import io.blixard.security.NodeKeyManagers;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Collection;
import java.util.Objects;
import java.util.function.Predicate;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;

/**
 * How the Raft port is secured: mutual TLS 1.3 in which every Ratis channel (server to server, this
 * node's client to the servers, the admin calls) presents the node's own certificate and accepts
 * only a member's ({@link MemberTrust}); or plaintext, in insecure mode.
 */
public final class RaftTls {

  static final String PROTOCOL = "TLSv1.3";

  private final NodeIdentity identity;
  private final MemberTrust trust;
  private final MeterRegistry meters;

  private RaftTls(NodeIdentity identity, MemberTrust trust, MeterRegistry meters) {
    this.identity = identity;
    this.trust = trust;
    this.meters = meters;
  }

  /** No TLS: any process that reaches the Raft port can write to the log. */
  public static RaftTls plaintext() {
    return new RaftTls(null, null, null);
  }

  /** Mutual TLS with the node's identity, accepting the peers {@code trust} accepts. */
  public static RaftTls mutual(NodeIdentity identity, MemberTrust trust, MeterRegistry meters) {
    return new RaftTls(
        Objects.requireNonNull(identity, "identity"),
        Objects.requireNonNull(trust, "trust"),
        Objects.requireNonNull(meters, "meters"));
  }

  /** Whether the Raft port uses mutual TLS. */
  public boolean enabled() {
    return trust != null;
  }

  /**
   * Trusts {@code ids} for a while before they are members here: the members a joining node learned
   * before its log caught up, or a node being added before the configuration naming it is
   * committed.
   */
  void trustProvisionally(Collection<NodeId> ids) {
    if (trust != null) {
      trust.trustProvisionally(ids, MemberTrust.PROVISIONAL);
    }
  }

  /** Ends the provisional trust of {@code id}. */
  void forget(NodeId id) {
    if (trust != null) {
      trust.forget(id);
    }
  }

  /**
   * Ratis's parameters for the server and the client: Ratis builds the server, client and admin
   * channels from the one {@code TLS} configuration when the three of their own are not set.
   *
   * @param alsoTrusted ids trusted besides those of {@link MemberTrust}: the peers this node, as
   *     leader, replicates to (a peer being added gets entries before any configuration names it)
   */
  Parameters parameters(Predicate<NodeId> alsoTrusted) {
    Parameters parameters = new Parameters();
    if (trust == null) {
      return parameters;
    }
    MemberTrustManager trustManager =
        new MemberTrustManager("raft", "Raft peer", peerTrust(alsoTrusted), meters);
    GrpcTlsConfig tls =
        GrpcTlsConfig.newBuilder()
            .setName("blixard-raft")
            .setKeyManager(NodeKeyManagers.of(identity))
            .setTrustManager(trustManager)
            .setMutualTls(true)
            .setProtocols(PROTOCOL)
            .build();
    GrpcConfigKeys.TLS.setConf(parameters, tls);
    return parameters;
  }

  /**
   * Whose Raft calls this node accepts, on any transport: a member's, or one of {@code
   * alsoTrusted}; null when the Raft port is plaintext and accepts anyone.
   */
  Predicate<NodeId> peerTrust(Predicate<NodeId> alsoTrusted) {
    return trust == null ? null : trust.or(alsoTrusted);
  }
}
