package io.blixard.cluster.registry;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import io.blixard.cluster.RegisteredNode;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.Join;
import io.blixard.proto.cluster.v1.NodeRecord;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.cluster.v1.SignedCommand;
import io.blixard.security.CommandSigner;
import io.blixard.security.JoinCredential;
import java.time.Clock;
import java.util.Optional;

/** Builds, signs and reads the registry's commands, as the node and its members exchange them. */
public final class RegistryCommands {

  private RegistryCommands() {}

  /** {@code command} stamped with the time now and signed by {@code signer}. */
  public static SignedCommand sign(CommandSigner signer, RegistryCommand.Builder command) {
    return sign(signer, command, Clock.systemUTC());
  }

  static SignedCommand sign(CommandSigner signer, RegistryCommand.Builder command, Clock clock) {
    byte[] bytes = command.setIssuedAtMillis(clock.millis()).build().toByteArray();
    CommandSigner.Signed signed = signer.sign(bytes);
    return SignedCommand.newBuilder()
        .setCommand(ByteString.copyFrom(signed.command()))
        .setPublicKey(ByteString.copyFrom(signed.publicKey()))
        .setSignature(ByteString.copyFrom(signed.signature()))
        .build();
  }

  /** A node's own join command: its record, and its token when it has one. */
  public static RegistryCommand.Builder join(RegisteredNode node, Optional<JoinCredential> token) {
    Join.Builder join = Join.newBuilder().setNode(NodeRecords.toRecord(node));
    token.ifPresent(t -> join.setTokenId(t.id()).setTokenSecret(t.secret()));
    return RegistryCommand.newBuilder().setJoin(join);
  }

  /** A removal of {@code nodeId}'s record. */
  public static RegistryCommand.Builder remove(NodeId nodeId) {
    return RegistryCommand.newBuilder().setRemove(nodeId.value());
  }

  /** A record for the registry. */
  public static NodeRecord record(RegisteredNode node) {
    return NodeRecords.toRecord(node);
  }

  /**
   * Parses a serialized {@link SignedCommand}.
   *
   * @throws IllegalArgumentException when the bytes are not one
   */
  public static SignedCommand parseSigned(byte[] bytes, String what) {
    try {
      return SignedCommand.parseFrom(bytes);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          what + " is not a serialized blixard.cluster.v1.SignedCommand (" + e.getMessage() + ")");
    }
  }

  /**
   * The command inside a signed one, unverified.
   *
   * @throws IllegalArgumentException when it does not parse
   */
  public static RegistryCommand command(SignedCommand signed) {
    try {
      return RegistryCommand.parseFrom(signed.getCommand());
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "the signed command does not hold a blixard.cluster.v1.RegistryCommand ("
              + e.getMessage()
              + ")");
    }
  }

  /** Who signed {@code signed}, by the public key sent with it (not verified). */
  public static Optional<NodeId> claimedSigner(SignedCommand signed) {
    return signed.getPublicKey().isEmpty()
        ? Optional.empty()
        : Optional.of(NodeId.ofSubjectPublicKeyInfo(signed.getPublicKey().toByteArray()));
  }
}
