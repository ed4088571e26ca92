package io.blixard.cli;

import com.google.protobuf.ByteString;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.cluster.v1.SignedCommand;
import io.blixard.security.CommandSigner;
import java.time.Clock;

/**
 * Registry commands as the operator signs them: stamped with the time now (the leader refuses a
 * command more than a minute away from its clock) and signed with the operator key, so the cluster
 * knows who asked whichever member forwards them.
 */
final class SignedCommands {

  private SignedCommands() {}

  /** {@code command} signed by {@code identity}, serialized. */
  static ByteString sign(NodeIdentity identity, RegistryCommand.Builder command) {
    byte[] bytes = command.setIssuedAtMillis(Clock.systemUTC().millis()).build().toByteArray();
    CommandSigner.Signed signed = CommandSigner.of(identity).sign(bytes);
    return SignedCommand.newBuilder()
        .setCommand(ByteString.copyFrom(signed.command()))
        .setPublicKey(ByteString.copyFrom(signed.publicKey()))
        .setSignature(ByteString.copyFrom(signed.signature()))
        .build()
        .toByteString();
  }
}
