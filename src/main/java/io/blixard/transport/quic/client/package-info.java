/**
 * The QUIC client: a gRPC {@link io.grpc.Channel} whose calls travel as Blixard RPC frames on
 * streams of pooled QUIC connections, each pinned to the node id it dialled.
 *
 * <p>May use: {@code transport.quic}, {@code transport.quic.codec}, {@code transport}, {@code rpc},
 * {@code node}, {@code security}, gRPC's API, the Netty QUIC codec.
 */
package io.blixard.transport.quic.client;
