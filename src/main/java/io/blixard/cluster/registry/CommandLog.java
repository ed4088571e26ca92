package io.blixard.cluster.registry;

import io.blixard.proto.cluster.v1.RegistryCommand;
import java.util.concurrent.CompletableFuture;

/** Where registry commands are proposed: the Raft log, implemented in {@code cluster.raft}. */
public interface CommandLog {

  /**
   * Proposes a command; completes once it is committed, exceptionally when it was refused, failed
   * or timed out.
   */
  CompletableFuture<Void> submit(RegistryCommand command);
}
