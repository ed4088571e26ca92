/**
 * The replicated cluster state and writes to it. Today that state is the node registry: {@link
 * io.blixard.cluster.registry.NodeRegistry} is what the Raft state machine applies committed
 * commands to and snapshots; {@link io.blixard.cluster.registry.RegistryWriter} proposes commands
 * through a {@link io.blixard.cluster.registry.CommandLog}, which {@code cluster.raft} implements
 * with the Raft log. No Raft engine here, so the rules about commands are tested without one.
 *
 * <p>{@link io.blixard.cluster.registry.CommandVersions} declares the command-set version of each
 * kind of command: {@code NodeRegistry.check} proposes a kind only when every member's record
 * reports it, and {@code NodeRegistry.apply} stops at a kind beyond this node's version ({@link
 * io.blixard.cluster.registry.UnknownCommandException}) rather than skip it. A new kind of command
 * declares its version there. Where later work goes: further checks on a command belong in {@code
 * NodeRegistry.apply} and its leader-side twin; further replicated state (the migration strategy
 * and its history, operators, admission token hashes) sits beside the node records here, in the
 * same snapshot.
 *
 * <p>May use: {@code cluster}, {@code node}, and the generated {@code blixard.cluster.v1} messages
 * as the storage format. Never Ratis, a transport, gRPC or Netty.
 */
package io.blixard.cluster.registry;
