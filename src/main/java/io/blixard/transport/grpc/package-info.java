/**
 * The gRPC transport plug-in: the gRPC listener serving every definition of the catalogue, its
 * settings and TLS with the node's identity, and {@link
 * io.blixard.transport.grpc.GrpcChannelFactory}, the one way clients build gRPC channels to nodes.
 *
 * <p>May use: {@code transport}, {@code rpc}, {@code migration}, {@code node}, {@code security},
 * gRPC. Never {@code transport.quic}.
 */
package io.blixard.transport.grpc;
