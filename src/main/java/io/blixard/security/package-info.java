/**
 * Trust by identity: a node is who its certificate's public key hashes to, as iroh and WireGuard
 * accept peers by key. Trust managers here check a peer's certificate against the node id a client
 * dialled ({@link io.blixard.security.NodeIdTrustManager}) or against the cluster's members ({@link
 * io.blixard.security.MemberTrustManager} with {@link io.blixard.security.MemberTrust}); {@link
 * io.blixard.security.ClusterRoles} says who is a member or an operator.
 *
 * <p>May use: {@code node}, Micrometer, the JDK's TLS types. Never a transport, Ratis, gRPC or
 * Netty.
 */
package io.blixard.security;
