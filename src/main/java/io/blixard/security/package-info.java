/**
 * Trust by identity: a node is who its certificate's public key hashes to, as iroh and WireGuard
 * accept peers by key. Trust managers here check a peer's certificate against the node id a client
 * dialled; {@link io.blixard.security.OperatorTokens} are the bearer tokens an operator's key signs
 * for a node's HTTP port.
 *
 * <p>May use: {@code node}, Nimbus JOSE (the JWT library of Spring Security). Never a transport.
 */
package io.blixard.security;
