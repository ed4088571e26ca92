/**
 * The cluster core as the rest of the node sees it: {@link io.blixard.cluster.ClusterView} (this
 * node's Raft state, the registry, peer reachability), the values it hands out, {@link
 * io.blixard.cluster.GroupAdmin} (configuration changes), the membership service and client
 * interfaces, the peer probes, the Raft metrics and {@code blixard.cluster.*} settings. The engine
 * lives in subpackages: {@code cluster.raft} (Apache Ratis), {@code cluster.registry} (the
 * replicated registry), {@code cluster.membership} (joins, leaves, self-registration), {@code
 * cluster.snapshot} (backups, restore, recovery from a lost quorum). They depend on this package,
 * never the other way round.
 *
 * <p>May use: {@code node}, Micrometer. Never a subpackage, Ratis, a transport, gRPC or Netty.
 */
package io.blixard.cluster;
