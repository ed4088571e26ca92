/**
 * Trust by identity: a node is who its certificate's public key hashes to, as iroh and WireGuard
 * accept peers by key. Trust managers here check a peer's certificate against the node id a client
 * dialled ({@link io.blixard.security.NodeIdTrustManager}) or against the cluster's members ({@link
 * io.blixard.security.MemberTrustManager} with {@link io.blixard.security.MemberTrust}); {@link
 * io.blixard.security.ClusterRoles} says who is a member or an operator; {@link
 * io.blixard.security.AccessPolicy} decides every call; {@link io.blixard.security.OperatorTokens}
 * are the bearer tokens an operator's key signs for a node's HTTP port.
 *
 * <p>May use: {@code node}, Micrometer, the JDK's TLS types, Spring Security, Nimbus JOSE (the JWT
 * library of Spring Security). Never a transport, Ratis, gRPC or Netty.
 */
package io.blixard.security;
