/**
 * Trust by identity: a node is who its certificate's public key hashes to, as iroh and WireGuard
 * accept peers by key. Trust managers here check a peer's certificate against the node id a client
 * dialled.
 *
 * <p>May use: {@code node}. Never a transport.
 */
package io.blixard.security;
