package io.blixard.transport.quic;

import io.blixard.node.NodeIdentity;
import io.blixard.security.NodeIdTrustManager;
import io.netty.handler.ssl.ClientAuth;
import io.netty.incubator.codec.quic.QuicSslContext;
import io.netty.incubator.codec.quic.QuicSslContextBuilder;
import java.util.List;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * TLS 1.3 contexts for QUIC from the node's key and self-signed certificate. Peers are trusted by
 * node id ({@link NodeIdTrustManager}), never by a certificate authority.
 */
public final class QuicTls {

  private QuicTls() {}

  /** The server side: the node's certificate, the ALPN names offered, client authentication. */
  public static QuicSslContext server(
      NodeIdentity identity, List<String> alpnProtocols, QuicTransportProperties.ClientAuth auth) {
    QuicSslContextBuilder builder =
        QuicSslContextBuilder.forServer(identity.privateKey(), null, identity.certificate())
            .applicationProtocols(alpnProtocols.toArray(String[]::new));
    switch (auth) {
      case NONE -> builder.clientAuth(ClientAuth.NONE);
      case WANT -> builder.clientAuth(ClientAuth.OPTIONAL);
      case NEED -> builder.clientAuth(ClientAuth.REQUIRE);
    }
    if (auth != QuicTransportProperties.ClientAuth.NONE) {
      // Any node may present its certificate; the node id it hashes to is what callers check.
      builder.trustManager(NodeIdTrustManager.recording());
    }
    return builder.build();
  }

  /**
   * The client side: a trust manager that checks the server's node id (pinned or recorded), the
   * node's own certificate when it has one (for servers that want client auth), one ALPN.
   */
  public static QuicSslContext client(
      X509ExtendedTrustManager trust, NodeIdentity clientIdentity, String alpn) {
    QuicSslContextBuilder builder =
        QuicSslContextBuilder.forClient().trustManager(trust).applicationProtocols(alpn);
    if (clientIdentity != null) {
      builder.keyManager(clientIdentity.privateKey(), null, clientIdentity.certificate());
    }
    return builder.build();
  }
}
