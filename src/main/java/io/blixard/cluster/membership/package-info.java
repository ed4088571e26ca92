/**
 * Membership of the Raft group as a service: joins and leaves that any member answers ({@link
 * io.blixard.cluster.membership.DefaultMembershipService}) and this node keeping its own registry
 * record ({@link io.blixard.cluster.membership.SelfRegistration}).
 *
 * <p>Where later work goes: admission (a join token or a pre-admitted node id checked before the
 * configuration change) and who may ask a node to leave are decided here, before the {@code
 * GroupAdmin} is called.
 *
 * <p>May use: {@code cluster} (the view and {@code GroupAdmin}, which the Raft engine implements),
 * {@code cluster.registry} (registry writes), {@code node}, Resilience4j. Not {@code cluster.raft}:
 * membership rules are tested without Raft. Never a transport, gRPC or Netty.
 */
package io.blixard.cluster.membership;
