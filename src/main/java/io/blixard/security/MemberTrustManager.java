package io.blixard.security;

import io.blixard.node.NodeId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import java.util.function.Predicate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Accepts a peer, client or server, by the node id its certificate's key hashes to, when that id is
 * trusted (a member, see {@link MemberTrust}): no certificate authority, so no issuer is checked,
 * only that the certificate is current and self-signed by the key it carries (the handshake proves
 * the peer holds that key). Each refusal fails the handshake with a one-line reason, is counted in
 * {@code blixard.security.refusals{transport,reason}} and logged at most once a minute per peer.
 */
public final class MemberTrustManager extends X509ExtendedTrustManager {

  private static final Logger log = LoggerFactory.getLogger(MemberTrustManager.class);

  /** The meter every refusal between nodes and of callers is counted in. */
  public static final String REFUSALS = "blixard.security.refusals";

  static final Duration LOG_INTERVAL = Duration.ofMinutes(1);

  /** Beyond this many peers remembered for the log's rate limit, the memory starts over. */
  static final int MAX_LOGGED_PEERS = 4096;

  private final String peer;
  private final Predicate<NodeId> trusted;
  private final Counter notMember;
  private final Counter unauthenticated;
  private final Counter badCertificate;
  private final LongSupplier nanoTime;
  private final Map<String, Long> lastLogged = new ConcurrentHashMap<>();

  /**
   * @param transport the {@code transport} tag of the refusals, e.g. {@code raft}
   * @param peer what the peer is called in messages, e.g. {@code Raft peer}
   * @param trusted whether a node id may connect
   */
  public MemberTrustManager(
      String transport, String peer, Predicate<NodeId> trusted, MeterRegistry meters) {
    this(transport, peer, trusted, meters, System::nanoTime);
  }

  MemberTrustManager(
      String transport,
      String peer,
      Predicate<NodeId> trusted,
      MeterRegistry meters,
      LongSupplier nanoTime) {
    Objects.requireNonNull(transport, "transport");
    this.peer = Objects.requireNonNull(peer, "peer");
    this.trusted = Objects.requireNonNull(trusted, "trusted");
    Objects.requireNonNull(meters, "meters");
    this.notMember = refusals(meters, transport, "not_member");
    this.unauthenticated = refusals(meters, transport, "unauthenticated");
    this.badCertificate = refusals(meters, transport, "bad_certificate");
    this.nanoTime = nanoTime;
  }

  private static Counter refusals(MeterRegistry meters, String transport, String reason) {
    return Counter.builder(REFUSALS)
        .description("Calls and connections refused for who the caller is or what it lacks")
        .tag("transport", transport)
        .tag("reason", reason)
        .register(meters);
  }

  private void verify(X509Certificate[] chain) throws CertificateException {
    if (chain == null || chain.length == 0) {
      throw refuse(
          unauthenticated,
          "",
          peer + " presented no certificate (expected: a member's certificate)");
    }
    X509Certificate certificate = chain[0];
    NodeId id = NodeId.of(certificate.getPublicKey());
    try {
      certificate.checkValidity();
    } catch (CertificateException e) {
      throw refuse(
          badCertificate,
          id.value(),
          peer
              + " "
              + id
              + " presented a certificate valid from "
              + certificate.getNotBefore().toInstant()
              + " to "
              + certificate.getNotAfter().toInstant()
              + " (expected: a certificate valid now)");
    }
    if (!trusted.test(id)) {
      throw refuse(
          notMember,
          id.value(),
          peer + " " + id + " is not a member of this cluster (expected: a member's certificate)");
    }
    try {
      certificate.verify(certificate.getPublicKey());
    } catch (GeneralSecurityException e) {
      throw refuse(
          badCertificate,
          id.value(),
          peer
              + " "
              + id
              + " presented a certificate not signed by its own key (expected: the node's"
              + " self-signed certificate)");
    }
  }

  private CertificateException refuse(Counter counter, String key, String message) {
    counter.increment();
    long now = nanoTime.getAsLong();
    Long last = lastLogged.get(key);
    if (last == null || now - last >= LOG_INTERVAL.toNanos()) {
      if (lastLogged.size() >= MAX_LOGGED_PEERS) {
        lastLogged.clear();
      }
      lastLogged.put(key, now);
      log.warn("Refused a TLS handshake: {}", message);
    }
    return new CertificateException(message);
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
    // No authority: a client may present its own self-signed certificate.
    return new X509Certificate[0];
  }
}
