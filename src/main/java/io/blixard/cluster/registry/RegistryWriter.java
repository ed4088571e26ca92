package io.blixard.cluster.registry;

import io.blixard.cluster.RegisteredNode;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.cluster.v1.Bootstrap;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.cluster.v1.SignedCommand;
import io.blixard.security.CommandSigner;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Component;

/**
 * Writes to the replicated registry: each write is a {@link RegistryCommand} signed with this
 * node's identity, or a command someone else signed (a joining node, an operator) that this node
 * forwards, in the Raft log.
 */
@Component
public class RegistryWriter {

  private final CommandLog log;
  private final CommandSigner signer;

  public RegistryWriter(CommandLog log, NodeIdentity identity) {
    this.log = Objects.requireNonNull(log, "log");
    this.signer = CommandSigner.of(Objects.requireNonNull(identity, "identity"));
  }

  /** Adds a node to the registry or updates its addresses; the first join time is kept. */
  public CompletableFuture<Void> register(RegisteredNode node) {
    return signed(RegistryCommand.newBuilder().setUpsert(NodeRecords.toRecord(node)));
  }

  /** Removes a node's record from the registry; removing an absent record changes nothing. */
  public CompletableFuture<Void> unregister(NodeId nodeId) {
    return signed(RegistryCommands.remove(nodeId));
  }

  /** The cluster's first command: its operators, a join token, and this node's record. */
  public CompletableFuture<Void> bootstrap(Bootstrap bootstrap) {
    return signed(RegistryCommand.newBuilder().setBootstrap(bootstrap));
  }

  /** Forwards a command someone else signed. */
  public CompletableFuture<Void> forward(SignedCommand command) {
    return log.submit(Objects.requireNonNull(command, "command"));
  }

  /** Signs a command as this node, as the registry's checks will see it. */
  public SignedCommand sign(RegistryCommand.Builder command) {
    return RegistryCommands.sign(signer, command);
  }

  private CompletableFuture<Void> signed(RegistryCommand.Builder command) {
    return log.submit(sign(command));
  }
}
