/**
 * The replicated node registry: its state as the Raft state machine applies it ({@link
 * io.blixard.cluster.registry.NodeRegistry}), and writes to it ({@link
 * io.blixard.cluster.registry.RegistryWriter}) proposed through a {@link
 * io.blixard.cluster.registry.CommandLog}. No Raft engine here: the Ratis state machine and log
 * live in {@code cluster.raft} and delegate to these. Checks on commands before they are applied
 * (who may write which record, which command versions the cluster accepts) belong in {@code
 * NodeRegistry}.
 *
 * <p>May use: {@code cluster}, {@code node}, and the generated {@code blixard.cluster.v1} messages
 * as the registry's storage format. Never Ratis, a transport, gRPC or Netty.
 */
package io.blixard.cluster.registry;
