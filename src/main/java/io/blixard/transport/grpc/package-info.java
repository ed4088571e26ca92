/**
 * The gRPC transport plug-in on the gRPC starter (Spring gRPC): the node's server factory (bind
 * address, TLS 1.3 with the node's identity, {@code blixard.transport.grpc.*}) that the starter's
 * server lifecycle runs, the listener that publishes its port and reports it for health, reflection
 * v1alpha beside the starter's v1, the TLS contexts, and {@link
 * io.blixard.transport.grpc.GrpcChannelFactory}, the one way clients build gRPC channels to nodes.
 *
 * <p>May use: {@code transport}, {@code rpc}, {@code node}, {@code security}, gRPC, the gRPC
 * starter. Never {@code transport.quic}.
 */
package io.blixard.transport.grpc;
