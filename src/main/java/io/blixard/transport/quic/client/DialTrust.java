package io.blixard.transport.quic.client;

import io.blixard.security.NodeIdTrustManager;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The trust manager of the one TLS context every dial of a pool shares: each handshake's server
 * certificate is checked by the {@link NodeIdTrustManager} of the dial that made its engine (pinned
 * to the node id the target names, or recording the one it meets), so that the context — its native
 * SSL_CTX and the client's key — is made once, not once per dial.
 */
final class DialTrust extends X509ExtendedTrustManager {

  private final Map<SSLEngine, NodeIdTrustManager> dials = new ConcurrentHashMap<>();

  /** The handshake of {@code engine} is checked by {@code trust} until {@link #forget}. */
  void register(SSLEngine engine, NodeIdTrustManager trust) {
    dials.put(engine, trust);
  }

  /** The handshake of {@code engine} is over. */
  void forget(SSLEngine engine) {
    dials.remove(engine);
  }

  /** Handshakes under way. */
  int pending() {
    return dials.size();
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    NodeIdTrustManager trust = dials.get(engine);
    if (trust == null) {
      throw new CertificateException(
          "a handshake no dial is waiting for (expected: one of a dial)");
    }
    trust.checkServerTrusted(chain, authType, engine);
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("a handshake without its engine (expected: a QUIC dial's)");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("a handshake on a socket (expected: a QUIC dial's)");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("a client certificate (expected: only servers' on a dial)");
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    checkClientTrusted(chain, authType);
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return new X509Certificate[0];
  }
}
