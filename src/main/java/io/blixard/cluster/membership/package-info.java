/**
 * Membership of the Raft group as a service: joins and leaves that any member answers ({@link
 * io.blixard.cluster.membership.DefaultMembershipService}) and this node keeping its own registry
 * record ({@link io.blixard.cluster.membership.SelfRegistration}).
 *
 * <p>Where later work goes: admission (a join token or a pre-admitted node id checked before the
 * configuration change) and who may ask a node to leave are decided here, before {@code RaftAdmin}
 * is called.
 *
 * <p>May use: {@code cluster}, {@code cluster.raft} (configuration changes), {@code
 * cluster.registry} (registry writes), {@code node}, Resilience4j. Never a transport, gRPC or
 * Netty.
 */
package io.blixard.cluster.membership;
