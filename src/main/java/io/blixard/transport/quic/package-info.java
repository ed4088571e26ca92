/**
 * The QUIC transport plug-in's shared parts (Blixard RPC on QUIC, docs/protocol.md): settings, TLS
 * with the node's identity and ALPN, UDP sockets (epoll with GSO where the kernel has it), the
 * inbound message queue every call uses on either side (with its flow control), the retransmission
 * watchdog and metrics. The server, the client and the frame codec live in the subpackages; {@code
 * autoconfigure} wires them.
 *
 * <p>May use: {@code transport}, {@code node}, {@code security}, {@code rpc}, the Netty QUIC codec,
 * gRPC's API, Guava's executors. Never {@code transport.grpc}. The QUIC codec's classes stay inside
 * this package and its subpackages, so that the move to Netty 4.2's codec is a rename.
 */
package io.blixard.transport.quic;
