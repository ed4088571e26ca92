package io.blixard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.node.DataDirectory;
import io.blixard.node.NodeIdentity;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeIdTrustManagerTest {

  @TempDir Path tmp;

  private NodeIdentity identity(String name) {
    return NodeIdentity.loadOrCreate(DataDirectory.open(tmp.resolve(name)));
  }

  @Test
  void shouldAcceptThePinnedNodeAndRecordIt() throws Exception {
    NodeIdentity node = identity("a");
    NodeIdTrustManager trust = NodeIdTrustManager.pinned(node.nodeId());

    trust.checkServerTrusted(new X509Certificate[] {node.certificate()}, "ECDHE_ECDSA");

    assertThat(trust.seen()).contains(node.nodeId());
  }

  @Test
  void shouldRefuseAnotherKeyNamingBothIds() {
    NodeIdentity pinned = identity("a");
    NodeIdentity other = identity("b");
    NodeIdTrustManager trust = NodeIdTrustManager.pinned(pinned.nodeId());

    assertThatThrownBy(
            () ->
                trust.checkServerTrusted(
                    new X509Certificate[] {other.certificate()}, "ECDHE_ECDSA"))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining(other.nodeId().value())
        .hasMessageContaining("expected: node " + pinned.nodeId().value());
    assertThat(trust.seen()).isEmpty();
  }

  @Test
  void shouldRecordWhicheverNodeAnswersWhenNotPinned() throws Exception {
    NodeIdentity node = identity("a");
    NodeIdTrustManager trust = NodeIdTrustManager.recording();

    trust.checkClientTrusted(new X509Certificate[] {node.certificate()}, "ECDHE_ECDSA");

    assertThat(trust.seen()).contains(node.nodeId());
    assertThat(trust.expected()).isEmpty();
  }

  @Test
  void shouldRefuseAnEmptyChain() {
    assertThatThrownBy(
            () -> NodeIdTrustManager.recording().checkServerTrusted(new X509Certificate[0], "EC"))
        .isInstanceOf(CertificateException.class)
        .hasMessageContaining("no certificate");
  }
}
