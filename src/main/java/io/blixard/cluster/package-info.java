/**
 * The cluster core: the Apache Ratis server of this node, the replicated state machine that holds
 * the node registry, membership (join and leave) and what is known about peers.
 *
 * <p>May use: {@code node}, Apache Ratis, and the generated {@code blixard.cluster.v1} messages as
 * the registry's storage format (Raft log entries and snapshots). Never a transport, gRPC or Netty.
 */
package io.blixard.cluster;
