/**
 * Wires the QUIC transport: the server when {@code blixard.transport.mode} is quic or dual, and the
 * client connection pool whenever the node calls peers over QUIC.
 *
 * <p>May use: every {@code transport.quic} package, {@code transport}, {@code rpc}, {@code
 * migration}, {@code node}.
 */
package io.blixard.transport.quic.autoconfigure;
