package io.blixard.cluster;

/**
 * Backups of the replicated cluster state: the Raft state machine's state at this node's applied
 * index, encoded as a snapshot file (docs/operations.md). Restoring one is offline work, done on a
 * data directory by the command line, never by a running node.
 */
public interface SnapshotService {

  /**
   * The bytes of a snapshot file of this node's state machine at its applied index. Needs no
   * quorum: the state a member applied is committed by definition.
   *
   * @throws ClusterUnavailableException when Raft is not running on this node
   */
  byte[] save();
}
