/**
 * The Apache Ratis engine behind the cluster core, one class per job: {@link
 * io.blixard.cluster.raft.RaftNode} starts and stops the server (bootstrap, recovery, or a join
 * through {@code GroupJoiner}); {@link io.blixard.cluster.raft.RaftClusterView} reads its state as
 * the {@link io.blixard.cluster.ClusterView}; {@link io.blixard.cluster.raft.RaftAdmin} changes the
 * group's configuration; {@link io.blixard.cluster.raft.RaftCommandLog} proposes registry commands;
 * the state machine applies them to the registry. Ratis types never leave this package.
 *
 * <p>May use: {@code cluster}, {@code cluster.registry}, {@code node}, Apache Ratis, Resilience4j,
 * and the generated {@code blixard.cluster.v1} messages. Never a transport, gRPC or Netty (Ratis's
 * shaded copies aside).
 */
package io.blixard.cluster.raft;
