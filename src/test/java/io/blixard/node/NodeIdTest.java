package io.blixard.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatNullPointerException;

import java.nio.charset.StandardCharsets;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NodeIdTest {

  // RFC 4648 section 10, lower-cased and without padding.
  @ParameterizedTest(name = "\"{0}\" -> \"{1}\"")
  @CsvSource(
      value = {
        "'', ''",
        "f, my",
        "fo, mzxq",
        "foo, mzxw6",
        "foob, mzxw6yq",
        "fooba, mzxw6ytb",
        "foobar, mzxw6ytboi"
      })
  void shouldEncodeRfc4648TestVectors(String input, String expected) {
    assertThat(NodeId.base32(input.getBytes(StandardCharsets.US_ASCII))).isEqualTo(expected);
  }

  @Test
  void shouldEncodeEveryByteValueWithoutLosingBits() {
    // 0xff bytes have the sign bit set; 5 of them fill 8 characters exactly.
    assertThat(NodeId.base32(new byte[] {-1, -1, -1, -1, -1})).isEqualTo("77777777");
    assertThat(NodeId.base32(new byte[] {0, 0, 0, 0, 0})).isEqualTo("aaaaaaaa");
  }

  @Test
  void shouldNameANodeByTheBase32Sha256OfItsSubjectPublicKeyInfo() throws Exception {
    PublicKey key = ecPublicKey();

    NodeId id = NodeId.of(key);

    byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
    assertThat(id.value()).hasSize(52).isEqualTo(NodeId.base32(digest));
    assertThat(NodeId.ofSubjectPublicKeyInfo(key.getEncoded())).isEqualTo(id);
    assertThat(id.shortForm()).isEqualTo(id.value().substring(0, 8));
    assertThat(id).hasToString(id.value());
  }

  @Test
  void shouldParseUpperCaseAndSurroundingWhitespace() throws Exception {
    NodeId id = NodeId.of(ecPublicKey());

    assertThat(NodeId.parse(id.value().toUpperCase())).isEqualTo(id);
    assertThat(NodeId.parse("  " + id.value() + "\n")).isEqualTo(id);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "abc",
        // 51 and 53 characters
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        // 0, 1, 8 and 9 are not in the base32 alphabet
        "0aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa8",
        "aaaaaaaaaaaaaaaaaaaaaaaaa-aaaaaaaaaaaaaaaaaaaaaaaaaa"
      })
  void shouldRejectMalformedIdsSayingWhatWasExpected(String text) {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> NodeId.parse(text))
        .withMessageContaining("\"" + text + "\"")
        .withMessageContaining("expected: 52 characters of lowercase base32");
  }

  @Test
  void shouldRejectUpperCaseInTheCanonicalConstructor() {
    String upper = "A".repeat(52);

    assertThatIllegalArgumentException()
        .isThrownBy(() -> new NodeId(upper))
        .withMessageContaining("expected: 52 characters of lowercase base32");
  }

  @Test
  void shouldRejectNullNamingTheArgument() {
    assertThatNullPointerException().isThrownBy(() -> NodeId.parse(null)).withMessage("text");
    assertThatNullPointerException().isThrownBy(() -> new NodeId(null)).withMessage("value");
  }

  private static PublicKey ecPublicKey() throws Exception {
    KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
    generator.initialize(new ECGenParameterSpec("secp256r1"));
    return generator.generateKeyPair().getPublic();
  }
}
