/**
 * Backups of the replicated cluster state and starting new groups from them, as etcd's snapshot
 * save, restore and force-new-cluster do: {@link io.blixard.cluster.snapshot.SnapshotFile} is the
 * file format (magic, content, SHA-256), {@link io.blixard.cluster.snapshot.DefaultSnapshotService}
 * saves a running node's state, {@link io.blixard.cluster.snapshot.NewGroups} writes a stopped
 * node's data directory for a new group, from a file (restore) or from the node's own state
 * (recovery after a quorum is lost for good). The Raft storage itself is {@code
 * cluster.raft.GroupStorage}'s.
 *
 * <p>May use: {@code cluster}, {@code cluster.raft}, {@code cluster.registry}, {@code node}, and
 * the generated {@code blixard.cluster.v1} messages as the file's format. Never a transport, gRPC
 * or Netty.
 */
package io.blixard.cluster.snapshot;
