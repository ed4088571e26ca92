/**
 * Membership of the Raft group as a service: joins and leaves that any member answers ({@link
 * io.blixard.cluster.membership.DefaultMembershipService}) and this node keeping its own registry
 * record ({@link io.blixard.cluster.membership.SelfRegistration}). Admission checks (join tokens,
 * pre-admitted ids) belong here, before the configuration change.
 *
 * <p>May use: {@code cluster}, {@code cluster.raft} (configuration changes), {@code
 * cluster.registry} (registry writes), {@code node}, Resilience4j. Never a transport, gRPC or
 * Netty.
 */
package io.blixard.cluster.membership;
