package io.blixard.security;

import io.blixard.node.NodeId;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Trusts a peer by the hash of its public key rather than by a certificate authority: nodes use
 * self-signed certificates, and a node id is the SHA-256 of the certificate's SubjectPublicKeyInfo.
 * With an expected id, any other key fails the handshake; without one, any key is accepted and the
 * id seen is recorded, so that a caller dialing {@code host:port} can report whom it reached.
 */
public final class NodeIdTrustManager extends X509ExtendedTrustManager {

  private final NodeId expected;
  private final AtomicReference<NodeId> seen = new AtomicReference<>();
  private final AtomicReference<String> rejection = new AtomicReference<>();

  private NodeIdTrustManager(NodeId expected) {
    this.expected = expected;
  }

  /** Accepts only the certificate whose public key hashes to {@code expected}. */
  public static NodeIdTrustManager pinned(NodeId expected) {
    return new NodeIdTrustManager(Objects.requireNonNull(expected, "expected"));
  }

  /** Accepts any certificate and records the node id it names. */
  public static NodeIdTrustManager recording() {
    return new NodeIdTrustManager(null);
  }

  /** The id the last verified peer certificate hashed to. */
  public Optional<NodeId> seen() {
    return Optional.ofNullable(seen.get());
  }

  /**
   * Why the last certificate was refused, if it was: TLS stacks that report only "handshake failed"
   * lose this reason on the way.
   */
  public Optional<String> rejection() {
    return Optional.ofNullable(rejection.get());
  }

  /** The pinned id, if any. */
  public Optional<NodeId> expected() {
    return Optional.ofNullable(expected);
  }

  private void verify(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw new CertificateException("the peer presented no certificate (expected: its node one)");
    }
    NodeId actual = NodeId.of(chain[0].getPublicKey());
    if (expected != null && !expected.equals(actual)) {
      String message =
          "the peer's certificate belongs to node " + actual + " (expected: node " + expected + ")";
      rejection.set(message);
      throw new CertificateException(message);
    }
    chain[0].checkValidity();
    seen.set(actual);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    verify(chain);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
