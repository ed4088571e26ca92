package io.blixard.cluster.registry;

import io.blixard.cluster.RegisteredNode;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.RegistryCommand;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import org.springframework.stereotype.Component;

/** Writes to the replicated registry: each write is a {@link RegistryCommand} in the Raft log. */
@Component
public class RegistryWriter {

  private final CommandLog log;

  public RegistryWriter(CommandLog log) {
    this.log = Objects.requireNonNull(log, "log");
  }

  /** Adds a node to the registry or updates its addresses; the first join time is kept. */
  public CompletableFuture<Void> register(RegisteredNode node) {
    return log.submit(RegistryCommand.newBuilder().setUpsert(NodeRecords.toRecord(node)).build());
  }

  /** Removes a node's record from the registry; removing an absent record changes nothing. */
  public CompletableFuture<Void> unregister(NodeId nodeId) {
    return log.submit(RegistryCommand.newBuilder().setRemove(nodeId.value()).build());
  }
}
