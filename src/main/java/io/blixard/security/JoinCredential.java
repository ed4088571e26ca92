package io.blixard.security;

import io.blixard.node.NodeId;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A join token as operators and joiners write it: {@code blx1.<issuer node id>.<token id>.<secret>}
 * as {@code blixard cluster token create} prints it, or the pre-shared form {@code <token
 * id>.<secret>} (no issuer). The registry keeps only the SHA-256 of the secret; the issuer is the
 * member that the joiner pins when it dials a {@code host:port} join address.
 *
 * @param issuer the member whose key the joiner expects, if the text names one
 * @param id lowercase letters and digits, 6 to 32
 * @param secret lowercase letters and digits, 16 to 128
 */
public record JoinCredential(Optional<NodeId> issuer, String id, String secret) {

  /** The prefix of the full form, naming its version. */
  public static final String PREFIX = "blx1";

  /** The forms {@link #parse} accepts, for error messages. */
  public static final String FORMS =
      "blx1.<issuer node id>.<token id>.<secret> or <token id>.<secret>";

  private static final Pattern ID = Pattern.compile("[a-z0-9]{6,32}");
  private static final Pattern SECRET = Pattern.compile("[a-z0-9]{16,128}");
  private static final SecureRandom RANDOM = new SecureRandom();

  public JoinCredential {
    Objects.requireNonNull(issuer, "issuer");
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(secret, "secret");
    if (!ID.matcher(id).matches()) {
      throw new IllegalArgumentException(
          "token id: \"" + id + "\" (expected: 6 to 32 lowercase letters and digits)");
    }
    if (!SECRET.matcher(secret).matches()) {
      throw new IllegalArgumentException(
          "token secret of " + id + " (expected: 16 to 128 lowercase letters and digits)");
    }
  }

  /**
   * Parses a token.
   *
   * @param what the setting or option it comes from, for the error
   * @throws IllegalArgumentException in one line, never repeating the secret
   */
  public static JoinCredential parse(String what, String text) {
    Objects.requireNonNull(what, "what");
    String[] parts = text == null ? new String[0] : text.trim().split("\\.", -1);
    try {
      if (parts.length == 4 && parts[0].equals(PREFIX)) {
        return new JoinCredential(Optional.of(NodeId.parse(parts[1])), parts[2], parts[3]);
      }
      if (parts.length == 2) {
        return new JoinCredential(Optional.empty(), parts[0], parts[1]);
      }
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          what + ": not a join token (expected: " + FORMS + "; " + e.getMessage() + ")");
    }
    throw new IllegalArgumentException(what + ": not a join token (expected: " + FORMS + ")");
  }

  /** A new random token (16-character id, 64-character secret) naming {@code issuer}. */
  public static JoinCredential generate(Optional<NodeId> issuer) {
    return new JoinCredential(issuer, randomHex(8), randomHex(32));
  }

  private static String randomHex(int bytes) {
    byte[] random = new byte[bytes];
    RANDOM.nextBytes(random);
    return HexFormat.of().formatHex(random);
  }

  /** SHA-256 of a secret, what the registry keeps. */
  public static byte[] hash(String secret) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  /** Whether {@code secret} hashes to {@code sha256}, in constant time. */
  public static boolean matches(String secret, byte[] sha256) {
    return MessageDigest.isEqual(hash(secret), sha256);
  }

  /** The SHA-256 of this token's secret. */
  public byte[] secretHash() {
    return hash(secret);
  }

  /** The text to hand to a joiner: the full form when there is an issuer. */
  public String text() {
    return issuer
        .map(i -> PREFIX + "." + i.value() + "." + id + "." + secret)
        .orElse(id + "." + secret);
  }

  /** Never the secret. */
  @Override
  public String toString() {
    return "join token " + id + issuer.map(i -> " (issuer " + i.shortForm() + ")").orElse("");
  }
}
