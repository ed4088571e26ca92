package io.blixard.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.node.NodeIdentity;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommandSignerTest {

  @TempDir Path dir;

  private NodeIdentity identity(String name) {
    return NodeIdentity.loadOrCreate(dir.resolve(name), name + ".key", name + ".crt");
  }

  @Test
  void aSignatureVerifiesAndNamesTheSignerByItsKeysHash() {
    NodeIdentity node = identity("node");
    CommandSigner signer = CommandSigner.of(node);
    byte[] command = "remove x".getBytes(StandardCharsets.UTF_8);

    CommandSigner.Signed signed = signer.sign(command);

    assertThat(signer.signerId()).isEqualTo(node.nodeId());
    assertThat(CommandSigner.verify(signed.command(), signed.publicKey(), signed.signature()))
        .contains(node.nodeId());
  }

  @Test
  void aChangedCommandDoesNotVerify() {
    CommandSigner.Signed signed = CommandSigner.of(identity("node")).sign(new byte[] {1, 2, 3});

    assertThat(CommandSigner.verify(new byte[] {1, 2, 4}, signed.publicKey(), signed.signature()))
        .isEmpty();
  }

  @Test
  void anotherKeyDoesNotVerify() {
    CommandSigner.Signed signed = CommandSigner.of(identity("node")).sign(new byte[] {1});
    byte[] otherKey = identity("other").certificate().getPublicKey().getEncoded();

    assertThat(CommandSigner.verify(signed.command(), otherKey, signed.signature())).isEmpty();
  }

  @Test
  void garbageNeverThrows() {
    assertThat(CommandSigner.verify(new byte[] {1}, new byte[] {2}, new byte[] {3})).isEmpty();
    assertThat(CommandSigner.verify(new byte[] {1}, new byte[0], new byte[0])).isEmpty();
    assertThat(CommandSigner.verify(null, null, null)).isEmpty();
  }
}
