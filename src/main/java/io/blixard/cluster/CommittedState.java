package io.blixard.cluster;

import io.blixard.proto.cluster.v1.RegistrySnapshot;
import java.util.Objects;

/**
 * The Raft state machine's state as of one applied (so committed) log entry: what a snapshot file
 * saves and a new group starts from.
 *
 * @param groupId the Raft group (a UUID)
 * @param index the last log index applied to {@code registry}
 * @param term the term of that entry
 * @param registry the replicated registry
 */
public record CommittedState(String groupId, long index, long term, RegistrySnapshot registry) {

  public CommittedState {
    Objects.requireNonNull(groupId, "groupId");
    Objects.requireNonNull(registry, "registry");
    if (index < 0) {
      throw new IllegalArgumentException("index: " + index + " (expected: >= 0)");
    }
  }
}
