/**
 * The QUIC server: accepts connections, reads each stream's call, and serves it from the service
 * definitions of the catalogue through gRPC's server API, so no service has QUIC code of its own.
 *
 * <p>May use: {@code transport.quic}, {@code transport.quic.codec}, {@code transport}, {@code rpc},
 * {@code node}, gRPC's server API, the Netty QUIC codec.
 */
package io.blixard.transport.quic.server;
