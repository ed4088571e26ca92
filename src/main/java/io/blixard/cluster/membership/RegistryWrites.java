package io.blixard.cluster.membership;

import io.blixard.cluster.AccessDeniedException;
import io.blixard.cluster.ClusterUnavailableException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits for a registry write and turns its failure into the domain's exceptions. */
final class RegistryWrites {

  private RegistryWrites() {}

  /**
   * Waits up to {@code timeout} for {@code write}.
   *
   * @param what what the write does, for messages ("admit node 1a2b")
   */
  static void await(CompletableFuture<Void> write, Duration timeout, String what) {
    try {
      write.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new ClusterUnavailableException("interrupted while waiting to " + what);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof AccessDeniedException denied) {
        throw new AccessDeniedException(denied.reason(), denied.getMessage());
      }
      if (e.getCause() instanceof IllegalArgumentException invalid) {
        throw new IllegalArgumentException(invalid.getMessage(), invalid);
      }
      throw new ClusterUnavailableException("cannot " + what + ": " + e.getCause());
    } catch (TimeoutException e) {
      throw new ClusterUnavailableException(
          "cannot " + what + ": no answer from Raft within " + timeout.toMillis() + " ms");
    }
  }
}
