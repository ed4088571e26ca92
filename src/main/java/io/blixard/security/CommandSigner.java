package io.blixard.security;

import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Objects;
import java.util.Optional;

/**
 * Signs commands with an identity's EC P-256 key (SHA256withECDSA) and verifies them against the
 * public key sent with them: how the cluster state knows who submitted a command, since the Raft
 * client's requests carry no authenticated identity. The signer's id is the hash of its public key,
 * exactly as a node id is.
 */
public final class CommandSigner {

  static final String ALGORITHM = "SHA256withECDSA";

  private final PrivateKey privateKey;
  private final byte[] publicKey;
  private final NodeId signerId;

  private CommandSigner(PrivateKey privateKey, PublicKey publicKey) {
    this.privateKey = privateKey;
    this.publicKey = publicKey.getEncoded();
    this.signerId = NodeId.of(publicKey);
  }

  /** A signer with a node's or an operator's key. */
  public static CommandSigner of(NodeIdentity identity) {
    Objects.requireNonNull(identity, "identity");
    return new CommandSigner(identity.privateKey(), identity.certificate().getPublicKey());
  }

  /** A command's bytes with the signer's public key and signature over them. */
  public record Signed(byte[] command, byte[] publicKey, byte[] signature) {}

  /** The id of whoever this signs as. */
  public NodeId signerId() {
    return signerId;
  }

  /** Signs {@code command} as it is. */
  public Signed sign(byte[] command) {
    Objects.requireNonNull(command, "command");
    try {
      Signature signature = Signature.getInstance(ALGORITHM);
      signature.initSign(privateKey);
      signature.update(command);
      return new Signed(command.clone(), publicKey.clone(), signature.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign a command with " + signerId + ": " + e, e);
    }
  }

  /**
   * The signer of {@code command}: the id of {@code publicKey} when {@code signature} is its
   * SHA256withECDSA signature over {@code command}; empty when it is not, or the key is not an EC
   * public key. Never throws for bad input.
   */
  public static Optional<NodeId> verify(byte[] command, byte[] publicKey, byte[] signature) {
    if (command == null || publicKey == null || signature == null || publicKey.length == 0) {
      return Optional.empty();
    }
    try {
      PublicKey key =
          KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(publicKey));
      Signature verifier = Signature.getInstance(ALGORITHM);
      verifier.initVerify(key);
      verifier.update(command);
      return verifier.verify(signature) ? Optional.of(NodeId.of(key)) : Optional.empty();
    } catch (GeneralSecurityException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
