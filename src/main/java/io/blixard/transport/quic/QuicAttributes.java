package io.blixard.transport.quic;

import io.blixard.node.NodeId;
import io.grpc.Attributes;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.util.AttributeKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Optional;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;

/** What a QUIC call knows about its connection: the peer's node id and the negotiated ALPN. */
public final class QuicAttributes {

  /** On a server call: the node id of a client that presented its certificate. */
  public static final Attributes.Key<NodeId> PEER_NODE_ID = Attributes.Key.create("blixard.peer");

  /** On a server call: the ALPN its connection negotiated. */
  public static final Attributes.Key<String> ALPN = Attributes.Key.create("blixard.alpn");

  private static final AttributeKey<Optional<NodeId>> PEER_KEY =
      AttributeKey.valueOf("blixard.peer");

  private QuicAttributes() {}

  /** The node id of the peer of this connection, if it presented a certificate; read once. */
  public static Optional<NodeId> peerNodeId(QuicChannel connection) {
    var attr = connection.attr(PEER_KEY);
    Optional<NodeId> peer = attr.get();
    if (peer == null) {
      peer = connection.sslEngine() == null ? Optional.empty() : peerNodeId(connection.sslEngine());
      attr.set(peer);
    }
    return peer;
  }

  /** The node id of the certificate the peer presented in this handshake, if any. */
  public static Optional<NodeId> peerNodeId(SSLEngine engine) {
    try {
      Certificate[] chain = engine.getSession().getPeerCertificates();
      if (chain.length > 0 && chain[0] instanceof X509Certificate cert) {
        return Optional.of(NodeId.of(cert.getPublicKey()));
      }
    } catch (SSLPeerUnverifiedException e) {
      // An anonymous client.
    }
    return Optional.empty();
  }
}
