package io.blixard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.node.NodeId;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class JoinCredentialTest {

  private static final NodeId ISSUER =
      NodeId.parse("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa");

  @Test
  void theFullFormNamesItsIssuerAndReadsBack() {
    JoinCredential token = JoinCredential.generate(Optional.of(ISSUER));

    JoinCredential parsed = JoinCredential.parse("t", token.text());

    assertThat(parsed).isEqualTo(token);
    assertThat(parsed.issuer()).contains(ISSUER);
    assertThat(token.text()).startsWith("blx1." + ISSUER.value() + ".");
  }

  @Test
  void thePreSharedFormHasNoIssuer() {
    JoinCredential token = JoinCredential.parse("t", "abcdef.0123456789abcdef");

    assertThat(token.issuer()).isEmpty();
    assertThat(token.id()).isEqualTo("abcdef");
    assertThat(JoinCredential.matches("0123456789abcdef", token.secretHash())).isTrue();
    assertThat(JoinCredential.matches("0123456789abcdee", token.secretHash())).isFalse();
  }

  @Test
  void aBadTokenIsRefusedInOneLineWithoutItsSecret() {
    assertThatThrownBy(() -> JoinCredential.parse("blixard.cluster.join-token", "abc.short"))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("blixard.cluster.join-token: not a join token (expected: blx1.")
        .hasMessageNotContaining("short");
    assertThatThrownBy(() -> JoinCredential.parse("x", "nonsense"))
        .hasMessageContaining("expected: " + JoinCredential.FORMS);
  }

  @Test
  void toStringNeverShowsTheSecret() {
    JoinCredential token = JoinCredential.generate(Optional.of(ISSUER));

    assertThat(token.toString()).doesNotContain(token.secret()).contains(token.id());
  }
}
