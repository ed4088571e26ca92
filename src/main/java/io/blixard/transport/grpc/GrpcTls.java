package io.blixard.transport.grpc;

import io.blixard.node.NodeIdentity;
import io.blixard.security.NodeIdTrustManager;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import java.util.Objects;
import javax.net.ssl.SSLException;

/**
 * TLS 1.3 contexts for gRPC: the server presents the node's own self-signed certificate, and
 * clients trust it by node id ({@link NodeIdTrustManager}) rather than through a certificate
 * authority.
 */
public final class GrpcTls {

  static final String PROTOCOL = "TLSv1.3";

  private GrpcTls() {}

  /** The server side: the node's key and certificate, TLS 1.3 only, ALPN h2, no client auth. */
  public static SslContext serverContext(NodeIdentity identity) {
    return serverContext(identity, GrpcTransportProperties.ClientAuth.NONE);
  }

  /**
   * The server side: the node's key and certificate, TLS 1.3 only, ALPN h2; with {@code clientAuth}
   * optional or require, clients are asked for their certificate, accepted whatever its issuer (the
   * node id it hashes to is what interceptors check).
   */
  public static SslContext serverContext(
      NodeIdentity identity, GrpcTransportProperties.ClientAuth clientAuth) {
    Objects.requireNonNull(identity, "identity");
    Objects.requireNonNull(clientAuth, "clientAuth");
    SslContextBuilder builder =
        GrpcSslContexts.configure(
                SslContextBuilder.forServer(identity.privateKey(), identity.certificate()))
            .protocols(PROTOCOL);
    switch (clientAuth) {
      case NONE -> builder.clientAuth(ClientAuth.NONE);
      case OPTIONAL -> builder.clientAuth(ClientAuth.OPTIONAL);
      case REQUIRE -> builder.clientAuth(ClientAuth.REQUIRE);
    }
    if (clientAuth != GrpcTransportProperties.ClientAuth.NONE) {
      // Any node may present its certificate; the node id it hashes to is what callers check.
      builder.trustManager(NodeIdTrustManager.recording());
    }
    try {
      return builder.build();
    } catch (SSLException e) {
      throw new IllegalStateException(
          "cannot build the gRPC TLS context from the node identity in "
              + identity.keyFile().getParent()
              + ": "
              + e.getMessage(),
          e);
    }
  }

  /**
   * The client side: the server's certificate is checked by {@code trust} (pinned to a node id, or
   * recording the id it sees), TLS 1.3 only, no client certificate.
   */
  public static SslContext clientContext(NodeIdTrustManager trust) {
    return clientContext(trust, null);
  }

  /**
   * The client side: the server's certificate is checked by {@code trust} (pinned to a node id, or
   * recording the id it sees), TLS 1.3 only; a node presents its own certificate, for servers that
   * ask clients who they are.
   *
   * @param clientIdentity the node's identity, or null for a client that has none (the CLI)
   */
  public static SslContext clientContext(NodeIdTrustManager trust, NodeIdentity clientIdentity) {
    Objects.requireNonNull(trust, "trust");
    try {
      SslContextBuilder builder = GrpcSslContexts.forClient().trustManager(trust);
      if (clientIdentity != null) {
        builder.keyManager(clientIdentity.privateKey(), clientIdentity.certificate());
      }
      return builder.protocols(PROTOCOL).build();
    } catch (SSLException e) {
      throw new IllegalStateException(
          "cannot build a gRPC TLS client context: " + e.getMessage(), e);
    }
  }
}
