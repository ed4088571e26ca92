package io.blixard.cluster.registry;

import io.blixard.proto.cluster.v1.SignedCommand;
import java.util.concurrent.CompletableFuture;

/** Where registry commands are proposed: the Raft log, implemented in {@code cluster.raft}. */
public interface CommandLog {

  /**
   * Proposes a signed command; completes once it is committed and applied, exceptionally when it
   * was refused ({@link io.blixard.cluster.AccessDeniedException} naming why, or {@link
   * IllegalArgumentException} for a malformed command), failed or timed out.
   */
  CompletableFuture<Void> submit(SignedCommand command);
}
