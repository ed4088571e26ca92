package io.blixard.node;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A node's identity on the wire: the SHA-256 of its certificate's SubjectPublicKeyInfo (DER), as 52
 * characters of lowercase RFC 4648 base32 without padding.
 */
public record NodeId(String value) {

  private static final char[] ALPHABET = "abcdefghijklmnopqrstuvwxyz234567".toCharArray();
  private static final Pattern FORMAT = Pattern.compile("[a-z2-7]{52}");

  public NodeId {
    Objects.requireNonNull(value, "value");
    if (!FORMAT.matcher(value).matches()) {
      throw new IllegalArgumentException(
          "node id: \"" + value + "\" (expected: 52 characters of lowercase base32, a-z and 2-7)");
    }
  }

  /** Parses a node id, accepting upper case. */
  public static NodeId parse(String text) {
    return new NodeId(Objects.requireNonNull(text, "text").trim().toLowerCase(Locale.ROOT));
  }

  /** The id of the node whose certificate carries this public key. */
  public static NodeId of(PublicKey publicKey) {
    return ofSubjectPublicKeyInfo(publicKey.getEncoded());
  }

  /** The id for a DER-encoded SubjectPublicKeyInfo, as {@link PublicKey#getEncoded()} gives it. */
  public static NodeId ofSubjectPublicKeyInfo(byte[] der) {
    try {
      return new NodeId(base32(MessageDigest.getInstance("SHA-256").digest(der)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
  }

  static String base32(byte[] data) {
    StringBuilder out = new StringBuilder((data.length * 8 + 4) / 5);
    int buffer = 0;
    int bits = 0;
    for (byte b : data) {
      buffer = (buffer << 8) | (b & 0xff);
      bits += 8;
      while (bits >= 5) {
        out.append(ALPHABET[(buffer >> (bits - 5)) & 0x1f]);
        bits -= 5;
      }
    }
    if (bits > 0) {
      out.append(ALPHABET[(buffer << (5 - bits)) & 0x1f]);
    }
    return out.toString();
  }

  /** The first eight characters, for logs. */
  public String shortForm() {
    return value.substring(0, 8);
  }

  @Override
  public String toString() {
    return value;
  }
}
