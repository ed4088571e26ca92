package io.blixard.security;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.BadJWSException;
import com.nimbusds.jose.proc.DefaultJOSEObjectTypeVerifier;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.jwt.proc.BadJWTException;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jwt.proc.JWTClaimsSetVerifier;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * Bearer tokens an operator's command line makes for a node's HTTP port: a JWT signed with ES256 by
 * the operator's own P-256 key, carrying that public key in its {@code jwk} header, so a node needs
 * nothing but the token to learn who signed it ({@link NodeId#of(PublicKey)}) and then asks {@link
 * ClusterRoles} whether that id is an operator. The key in the header is not trusted by itself: it
 * only names the signer; what makes the token worth anything is that its id is on the operator
 * list.
 *
 * <p>Claims: {@code sub} the operator id, {@code aud} {@value #AUDIENCE}, {@code iat}, {@code exp}
 * at most {@link #MAX_LIFETIME} after {@code iat} and after now, {@code jti} random. Example
 * header: {@code {"typ":"JWT","alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"…","y":"…"}}}.
 */
public final class OperatorTokens {

  /** The audience every token names, so that a token for something else is never taken here. */
  public static final String AUDIENCE = "blixard";

  /** The longest a token may live: a stolen one is worth minutes, not days. */
  public static final Duration MAX_LIFETIME = Duration.ofMinutes(5);

  /** How far the clocks of the operator's machine and the node may disagree. */
  public static final Duration CLOCK_SKEW = Duration.ofSeconds(30);

  private OperatorTokens() {}

  /** A token signed by {@code operator}, valid for {@code ttl} from now. */
  public static String issue(NodeIdentity operator, Duration ttl, Clock clock) {
    Objects.requireNonNull(operator, "operator");
    if (ttl.isNegative() || ttl.isZero() || ttl.compareTo(MAX_LIFETIME) > 0) {
      throw new IllegalArgumentException(
          "token lifetime " + ttl + " (expected: more than 0 and at most " + MAX_LIFETIME + ")");
    }
    Instant now = clock.instant();
    ECKey publicJwk =
        new ECKey.Builder(Curve.P_256, (ECPublicKey) operator.certificate().getPublicKey()).build();
    JWSHeader header =
        new JWSHeader.Builder(JWSAlgorithm.ES256).type(JOSEObjectType.JWT).jwk(publicJwk).build();
    JWTClaimsSet claims =
        new JWTClaimsSet.Builder()
            .subject(operator.nodeId().value())
            .audience(AUDIENCE)
            .issueTime(Date.from(now))
            .expirationTime(Date.from(now.plus(ttl)))
            .jwtID(UUID.randomUUID().toString())
            .build();
    SignedJWT jwt = new SignedJWT(header, claims);
    try {
      jwt.sign(new ECDSASigner(operator.privateKey(), Curve.P_256));
    } catch (JOSEException e) {
      throw new IllegalStateException(
          "cannot sign an operator token with the key of " + operator.nodeId() + ": " + e, e);
    }
    return jwt.serialize();
  }

  /**
   * The id of the key that signed {@code token}, once its signature, audience and times are right;
   * whether that id is an operator is for the caller to ask.
   *
   * @throws InvalidOperatorTokenException saying what was wrong and what was expected
   */
  public static NodeId verify(String token, Clock clock) {
    SignedJWT jwt;
    try {
      jwt = SignedJWT.parse(token);
    } catch (ParseException e) {
      throw InvalidOperatorTokenException.bad(
          "the bearer token is not a signed JWT (" + e.getMessage() + ")");
    }
    JWSHeader header = jwt.getHeader();
    if (!JWSAlgorithm.ES256.equals(header.getAlgorithm())) {
      throw InvalidOperatorTokenException.bad(
          "the bearer token is signed with " + header.getAlgorithm() + " (expected: ES256)");
    }
    PublicKey signer = signerKey(header.getJWK());
    DefaultJWTProcessor<SecurityContext> processor = new DefaultJWTProcessor<>();
    processor.setJWSTypeVerifier(new DefaultJOSEObjectTypeVerifier<>(JOSEObjectType.JWT, null));
    processor.setJWSKeySelector((h, context) -> List.of(signer));
    processor.setJWTClaimsSetVerifier(new ClaimsVerifier(clock.instant()));
    JWTClaimsSet claims;
    try {
      claims = processor.process(jwt, null);
    } catch (InvalidClaims e) {
      throw e.reason;
    } catch (BadJWSException e) {
      throw InvalidOperatorTokenException.bad(
          "the bearer token's signature does not verify with the key in its header (expected: a"
              + " token signed by that key, unchanged)");
    } catch (BadJOSEException | JOSEException e) {
      throw InvalidOperatorTokenException.bad("the bearer token is refused: " + e.getMessage());
    }
    NodeId id = NodeId.of(signer);
    if (!id.value().equals(claims.getSubject())) {
      throw InvalidOperatorTokenException.bad(
          "the bearer token's sub \""
              + claims.getSubject()
              + "\" is not the id of the key that signed it (expected: "
              + id
              + ")");
    }
    return id;
  }

  private static PublicKey signerKey(JWK jwk) {
    if (!(jwk instanceof ECKey ec) || !Curve.P_256.equals(ec.getCurve())) {
      throw InvalidOperatorTokenException.bad(
          "the bearer token's header carries no P-256 public key (expected: its signer's key as"
              + " \"jwk\")");
    }
    if (ec.isPrivate()) {
      throw InvalidOperatorTokenException.bad(
          "the bearer token's header carries a private key (expected: the public key only)");
    }
    try {
      return ec.toECPublicKey();
    } catch (JOSEException e) {
      throw InvalidOperatorTokenException.bad(
          "the bearer token's header key is not a P-256 point: " + e.getMessage());
    }
  }

  /** Audience, required claims and times, checked once the signature holds. */
  private static final class ClaimsVerifier implements JWTClaimsSetVerifier<SecurityContext> {

    private final Instant now;

    ClaimsVerifier(Instant now) {
      this.now = now;
    }

    @Override
    public void verify(JWTClaimsSet claims, SecurityContext context) throws BadJWTException {
      if (claims.getAudience() == null || !claims.getAudience().contains(AUDIENCE)) {
        throw new InvalidClaims(
            InvalidOperatorTokenException.bad(
                "the bearer token's audience is "
                    + claims.getAudience()
                    + " (expected: \""
                    + AUDIENCE
                    + "\")"));
      }
      Date exp = claims.getExpirationTime();
      Date iat = claims.getIssueTime();
      if (exp == null || iat == null || claims.getSubject() == null) {
        throw new InvalidClaims(
            InvalidOperatorTokenException.bad(
                "the bearer token lacks exp, iat or sub (expected: all three)"));
      }
      Instant expires = exp.toInstant();
      Instant issued = iat.toInstant();
      if (!now.isBefore(expires.plus(CLOCK_SKEW))) {
        throw new InvalidClaims(
            InvalidOperatorTokenException.expired(
                "the bearer token expired at "
                    + expires
                    + " (expected: a fresh one, from `blixard operator token`)"));
      }
      if (issued.isAfter(now.plus(CLOCK_SKEW))) {
        throw new InvalidClaims(
            InvalidOperatorTokenException.bad(
                "the bearer token was issued at "
                    + issued
                    + ", in the future (expected: the operator's clock within "
                    + CLOCK_SKEW.toSeconds()
                    + " s of the node's)"));
      }
      if (Duration.between(issued, expires).compareTo(MAX_LIFETIME) > 0
          || Duration.between(now, expires).compareTo(MAX_LIFETIME.plus(CLOCK_SKEW)) > 0) {
        throw new InvalidClaims(
            InvalidOperatorTokenException.bad(
                "the bearer token is valid until "
                    + expires
                    + " (expected: at most "
                    + MAX_LIFETIME.toMinutes()
                    + " minutes ahead)"));
      }
    }
  }

  /** Carries the refusal out of Nimbus's processor, which wraps only its own exception types. */
  private static final class InvalidClaims extends BadJWTException {
    private final InvalidOperatorTokenException reason;

    InvalidClaims(InvalidOperatorTokenException reason) {
      super(reason.getMessage());
      this.reason = reason;
    }
  }
}
