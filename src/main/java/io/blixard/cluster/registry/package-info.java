/**
 * The replicated cluster state and writes to it. Today that state is the node registry: {@link
 * io.blixard.cluster.registry.NodeRegistry} is what the Raft state machine applies committed
 * commands to and snapshots; {@link io.blixard.cluster.registry.RegistryWriter} proposes commands
 * through a {@link io.blixard.cluster.registry.CommandLog}, which {@code cluster.raft} implements
 * with the Raft log. No Raft engine here, so the rules about commands are tested without one.
 *
 * <p>Where later work goes: checks on a command before it is applied (a signed command's submitter
 * may write only its own record; which command kinds the cluster version allows; an unknown command
 * stops the node) belong in {@code NodeRegistry.apply} and its leader-side twin; further replicated
 * state (the migration strategy and its history, operators, admission token hashes) sits beside the
 * node records here, in the same snapshot.
 *
 * <p>May use: {@code cluster}, {@code node}, and the generated {@code blixard.cluster.v1} messages
 * as the storage format. Never Ratis, a transport, gRPC or Netty.
 */
package io.blixard.cluster.registry;
