/**
 * The Apache Ratis engine behind the cluster core, one class per job: {@link
 * io.blixard.cluster.raft.RaftNode} starts and stops the server (bootstrap, recovery, or a join
 * through {@code GroupJoiner}, with {@code RaftServerSettings} for Ratis's configuration and the
 * storage directory); {@link io.blixard.cluster.raft.RaftClusterView} reads its state as the {@link
 * io.blixard.cluster.ClusterView}; {@link io.blixard.cluster.raft.RaftAdmin} changes the group's
 * configuration (the {@link io.blixard.cluster.GroupAdmin}); {@link
 * io.blixard.cluster.raft.RaftCommandLog} proposes registry commands; {@code ClusterStateMachine}
 * applies them to the registry and keeps its snapshots (and pauses and reloads for one the leader
 * installs); {@link io.blixard.cluster.raft.GroupStorage} reads and writes a stopped group's
 * storage for restore and recovery. {@link io.blixard.cluster.raft.RaftTls} secures the Raft port:
 * mutual TLS trusting the cluster's members ({@code security.MemberTrust}), or plaintext in
 * insecure mode, chosen by {@code RaftSecurityAutoConfiguration}. Ratis types never leave this
 * package (an ArchUnit rule keeps it so).
 *
 * <p>Where later work goes: how a node starts with state it has (whole-cluster restart, a data
 * directory that does not match the identity, bootstrapping only when told to) is {@code
 * RaftNode}'s; what a snapshot file holds and how a new group is made from one is {@code
 * cluster.snapshot}'s, the Ratis storage under it {@code GroupStorage}'s; Raft over another
 * transport comes as a {@code cluster.RaftTransportPlugIn}: {@code RaftServerSettings} sets its
 * Ratis RPC type and properties, {@code RaftNode} hands its parameters and the peer trust to Ratis
 * (the factory itself belongs to the transport, e.g. {@code transport.quic.raft}).
 *
 * <p>May use: {@code cluster}, {@code cluster.registry}, {@code node}, {@code security} (trust by
 * identity), Micrometer, Apache Ratis, Resilience4j, and the generated {@code blixard.cluster.v1}
 * messages. Never a transport, gRPC or Netty (Ratis's shaded copies aside).
 */
package io.blixard.cluster.raft;
