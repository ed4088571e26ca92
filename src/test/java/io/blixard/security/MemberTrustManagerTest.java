package io.blixard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.node.DataDirectory;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.math.BigInteger;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MemberTrustManagerTest {

  @TempDir Path tmp;

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final AtomicLong nanos = new AtomicLong();

  private NodeIdentity identity(String name) {
    return NodeIdentity.loadOrCreate(DataDirectory.open(tmp.resolve(name)));
  }

  private MemberTrustManager trusting(Set<NodeId> members) {
    return new MemberTrustManager("raft", "Raft peer", members::contains, meters, nanos::get);
  }

  private double refusals(String reason) {
    return meters
        .get(MemberTrustManager.REFUSALS)
        .tag("transport", "raft")
        .tag("reason", reason)
        .counter()
        .count();
  }

  private static X509Certificate[] chain(X509Certificate certificate) {
    return new X509Certificate[] {certificate};
  }

  @Test
  void shouldAcceptAMembersCertificateAsClientAndAsServer() {
    NodeIdentity member = identity("a");
    MemberTrustManager trust = trusting(Set.of(member.nodeId()));

    assertThatCode(
            () -> {
              trust.checkClientTrusted(chain(member.certificate()), "ECDHE_ECDSA");
              trust.checkServerTrusted(chain(member.certificate()), "ECDHE_ECDSA");
              trust.checkClientTrusted(
                  chain(member.certificate()), "ECDHE_ECDSA", (javax.net.ssl.SSLEngine) null);
              trust.checkServerTrusted(
                  chain(member.certificate()), "ECDHE_ECDSA", (java.net.Socket) null);
            })
        .doesNotThrowAnyException();
    assertThat(refusals("not_member")).isZero();
  }

  @Test
  void shouldRefuseANonMemberInOneLineAndCountIt() {
    NodeIdentity member = identity("a");
    NodeIdentity stranger = identity("b");
    MemberTrustManager trust = trusting(Set.of(member.nodeId()));

    assertThatThrownBy(
            () ->
                trust.checkClientTrusted(
                    chain(stranger.certificate()), "ECDHE_ECDSA", (javax.net.ssl.SSLEngine) null))
        .isInstanceOf(CertificateException.class)
        .hasMessage(
            "Raft peer "
                + stranger.nodeId()
                + " is not a member of this cluster (expected: a member's certificate)");
    assertThatThrownBy(() -> trust.checkServerTrusted(chain(stranger.certificate()), "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class);

    assertThat(refusals("not_member")).isEqualTo(2);
  }

  @Test
  void shouldFollowMembershipAsItChanges() throws Exception {
    NodeIdentity node = identity("a");
    java.util.Set<NodeId> members = new java.util.concurrent.CopyOnWriteArraySet<>();
    MemberTrustManager trust = trusting(members);
    assertThatThrownBy(() -> trust.checkClientTrusted(chain(node.certificate()), "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class);

    members.add(node.nodeId());
    trust.checkClientTrusted(chain(node.certificate()), "ECDHE_ECDSA");

    members.clear();
    assertThatThrownBy(() -> trust.checkClientTrusted(chain(node.certificate()), "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class);
  }

  @Test
  void shouldRefuseAnEmptyChainAsUnauthenticated() {
    MemberTrustManager trust = trusting(Set.of());

    assertThatThrownBy(() -> trust.checkClientTrusted(new X509Certificate[0], "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class)
        .hasMessage("Raft peer presented no certificate (expected: a member's certificate)");
    assertThatThrownBy(() -> trust.checkClientTrusted(null, "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class);
    assertThat(refusals("unauthenticated")).isEqualTo(2);
  }

  @Test
  void shouldRefuseAnExpiredCertificateOfAMember() throws Exception {
    KeyPair keys = keyPair();
    Instant now = Instant.now();
    X509Certificate expired =
        certificate(keys.getPublic(), keys.getPrivate(), now.minus(Duration.ofDays(10)), now);
    NodeId id = NodeId.of(keys.getPublic());
    MemberTrustManager trust = trusting(Set.of(id));

    assertThatThrownBy(() -> trust.checkClientTrusted(chain(expired), "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class)
        .hasMessageStartingWith("Raft peer " + id + " presented a certificate valid from ")
        .hasMessageEndingWith("(expected: a certificate valid now)");
    assertThat(refusals("bad_certificate")).isEqualTo(1);
  }

  @Test
  void shouldRefuseAMembersKeyInACertificateSignedByAnotherKey() throws Exception {
    // Anyone may put a member's public key in a certificate; only its holder can self-sign it.
    KeyPair member = keyPair();
    KeyPair forger = keyPair();
    Instant now = Instant.now();
    X509Certificate forged =
        certificate(
            member.getPublic(),
            forger.getPrivate(),
            now.minus(Duration.ofDays(1)),
            now.plus(Duration.ofDays(1)));
    NodeId id = NodeId.of(member.getPublic());
    MemberTrustManager trust = trusting(Set.of(id));

    assertThatThrownBy(() -> trust.checkServerTrusted(chain(forged), "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class)
        .hasMessage(
            "Raft peer "
                + id
                + " presented a certificate not signed by its own key (expected: the node's"
                + " self-signed certificate)");
    assertThat(refusals("bad_certificate")).isEqualTo(1);
  }

  @Test
  void shouldCountEveryRefusalButLogOncePerPeerAMinute() {
    NodeIdentity stranger = identity("b");
    MemberTrustManager trust = trusting(Set.of());
    for (int i = 0; i < 5; i++) {
      assertThatThrownBy(
              () -> trust.checkClientTrusted(chain(stranger.certificate()), "ECDHE_ECDSA"))
          .isInstanceOf(CertificateException.class);
    }
    nanos.addAndGet(MemberTrustManager.LOG_INTERVAL.toNanos());
    assertThatThrownBy(() -> trust.checkClientTrusted(chain(stranger.certificate()), "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class);

    assertThat(refusals("not_member")).isEqualTo(6);
  }

  @Test
  void shouldNameNoIssuerSoThatSelfSignedClientsMayAnswer() {
    assertThat(trusting(Set.of()).getAcceptedIssuers()).isEmpty();
  }

  private static KeyPair keyPair() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair();
  }

  private static X509Certificate certificate(
      PublicKey subjectKey, PrivateKey signer, Instant notBefore, Instant notAfter)
      throws Exception {
    X500Name name = new X500Name("CN=" + NodeId.of(subjectKey) + ",O=Blixard");
    return new JcaX509CertificateConverter()
        .getCertificate(
            new JcaX509v3CertificateBuilder(
                    name,
                    BigInteger.ONE,
                    Date.from(notBefore),
                    Date.from(notAfter),
                    name,
                    subjectKey)
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(signer)));
  }
}
