package io.blixard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.blixard.node.NodeIdentity;
import java.nio.file.Path;
import java.security.interfaces.ECPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Date;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OperatorTokensTest {

  private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");
  private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);

  @TempDir static Path dir;
  private static NodeIdentity operator;

  @BeforeAll
  static void identity() {
    operator = OperatorIdentity.loadOrCreate(dir);
  }

  /** A token signed by the operator's key with the claims {@code edit} leaves. */
  private static String signed(UnaryOperator<JWTClaimsSet.Builder> edit) throws Exception {
    JWTClaimsSet.Builder claims =
        new JWTClaimsSet.Builder()
            .subject(operator.nodeId().value())
            .audience("blixard")
            .issueTime(Date.from(NOW))
            .expirationTime(Date.from(NOW.plusSeconds(60)));
    SignedJWT jwt =
        new SignedJWT(
            new JWSHeader.Builder(JWSAlgorithm.ES256)
                .type(JOSEObjectType.JWT)
                .jwk(
                    new ECKey.Builder(
                            Curve.P_256, (ECPublicKey) operator.certificate().getPublicKey())
                        .build())
                .build(),
            edit.apply(claims).build());
    jwt.sign(new ECDSASigner(operator.privateKey(), Curve.P_256));
    return jwt.serialize();
  }

  private static void assertRefused(
      String token, InvalidOperatorTokenException.Reason reason, String message) {
    assertThatThrownBy(() -> OperatorTokens.verify(token, CLOCK))
        .isInstanceOfSatisfying(
            InvalidOperatorTokenException.class, e -> assertThat(e.reason()).isEqualTo(reason))
        .hasMessageContaining(message)
        .hasNoCause();
  }

  @Test
  void aTokenNamesTheNodeIdOfTheKeyThatSignedIt() {
    String token = OperatorTokens.issue(operator, Duration.ofMinutes(5), CLOCK);
    assertThat(OperatorTokens.verify(token, CLOCK)).isEqualTo(operator.nodeId());
    assertThat(OperatorTokens.verify(token, Clock.offset(CLOCK, Duration.ofMinutes(5))))
        .as("within the clock skew")
        .isEqualTo(operator.nodeId());
  }

  @Test
  void noTokenIsMadeForLongerThanFiveMinutes() {
    assertThatThrownBy(() -> OperatorTokens.issue(operator, Duration.ofMinutes(6), CLOCK))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("token lifetime PT6M (expected: more than 0 and at most PT5M)");
    assertThatThrownBy(() -> OperatorTokens.issue(operator, Duration.ZERO, CLOCK))
        .isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void anExpiredTokenIsRefusedAsExpired() {
    Clock earlier = Clock.offset(CLOCK, Duration.ofMinutes(-2));
    String token = OperatorTokens.issue(operator, Duration.ofMinutes(1), earlier);
    assertRefused(
        token, InvalidOperatorTokenException.Reason.EXPIRED, "expired at 2026-01-01T11:59:00Z");
  }

  @Test
  void aTokenValidForMoreThanFiveMinutesIsRefused() throws Exception {
    assertRefused(
        signed(c -> c.expirationTime(Date.from(NOW.plus(Duration.ofHours(1))))),
        InvalidOperatorTokenException.Reason.BAD_TOKEN,
        "(expected: at most 5 minutes ahead)");
    // Issued "in the past" to look short-lived, yet valid for an hour from now.
    assertRefused(
        signed(
            c ->
                c.issueTime(Date.from(NOW.plus(Duration.ofMinutes(56))))
                    .expirationTime(Date.from(NOW.plus(Duration.ofHours(1))))),
        InvalidOperatorTokenException.Reason.BAD_TOKEN,
        "in the future");
  }

  @Test
  void claimsMustNameTheAudienceAndTheSigner() throws Exception {
    assertRefused(
        signed(c -> c.audience("kubernetes")),
        InvalidOperatorTokenException.Reason.BAD_TOKEN,
        "audience is [kubernetes] (expected: \"blixard\")");
    assertRefused(
        signed(c -> c.subject("a".repeat(52))),
        InvalidOperatorTokenException.Reason.BAD_TOKEN,
        "is not the id of the key that signed it (expected: " + operator.nodeId() + ")");
    assertRefused(
        signed(c -> c.issueTime(null)),
        InvalidOperatorTokenException.Reason.BAD_TOKEN,
        "lacks exp, iat or sub");
  }

  @Test
  void aChangedOrForeignlySignedTokenIsRefused() throws Exception {
    String[] parts = OperatorTokens.issue(operator, Duration.ofMinutes(1), CLOCK).split("\\.");
    String other = signed(c -> c.jwtID("other")).split("\\.")[2];
    assertRefused(
        parts[0] + "." + parts[1] + "." + other,
        InvalidOperatorTokenException.Reason.BAD_TOKEN,
        "signature does not verify");
    assertRefused("x.y.z", InvalidOperatorTokenException.Reason.BAD_TOKEN, "not a signed JWT");
  }

  @Test
  void onlyEs256WithTheSignersKeyInTheHeaderIsAccepted() throws Exception {
    SignedJWT hmac =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.HS256),
            new JWTClaimsSet.Builder().subject(operator.nodeId().value()).build());
    hmac.sign(new MACSigner(new byte[32]));
    assertRefused(
        hmac.serialize(),
        InvalidOperatorTokenException.Reason.BAD_TOKEN,
        "signed with HS256 (expected: ES256)");

    SignedJWT noKey =
        new SignedJWT(
            new JWSHeader(JWSAlgorithm.ES256),
            new JWTClaimsSet.Builder().subject(operator.nodeId().value()).build());
    noKey.sign(new ECDSASigner(operator.privateKey(), Curve.P_256));
    assertRefused(
        noKey.serialize(),
        InvalidOperatorTokenException.Reason.BAD_TOKEN,
        "carries no P-256 public key");
  }
}
