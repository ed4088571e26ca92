/**
 * The QUIC client: a gRPC {@link io.grpc.Channel} whose calls travel as Blixard RPC frames on
 * streams of pooled QUIC connections, each pinned to the node id it dialled. One job per class: the
 * call ({@code QuicClientCall}), its stream's writes ({@code QuicCallStream}) and reads ({@code
 * QuicResponseReader}), the pool that keeps, hands out and evicts connections ({@code
 * QuicConnectionPool}, with {@code DialBackoff}), and the dialer that opens one ({@code
 * QuicDialer}: socket, TLS, node-id pinning, handshake).
 *
 * <p>May use: {@code transport.quic}, {@code transport.quic.codec}, {@code transport}, {@code rpc},
 * {@code node}, {@code security}, gRPC's API, the Netty QUIC codec, Guava's executors,
 * Resilience4j's interval functions.
 */
package io.blixard.transport.quic.client;
