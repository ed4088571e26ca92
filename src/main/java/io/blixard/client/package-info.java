/**
 * The transport-choosing client: a gRPC {@link io.grpc.Channel} that sends each call over gRPC or
 * QUIC as the migration strategy says, with fallback, retries, circuit breakers and latency
 * tracking, and {@link io.blixard.client.BlixardClient}, which discovers a node's transports.
 *
 * <p>May use: {@code transport} (the transport names), {@code transport.grpc} (the gRPC channel
 * factory), {@code transport.quic.client} (the QUIC channel), {@code migration}, {@code rpc}
 * (service names), {@code node} (node ids), generated protos. Used by {@code cli}.
 */
package io.blixard.client;
