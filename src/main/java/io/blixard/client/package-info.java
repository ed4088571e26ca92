/**
 * The transport-choosing client. {@link io.blixard.client.TransportChoosingChannel} is a gRPC
 * {@link io.grpc.Channel} to one peer assembled from parts that each do one thing: a selection
 * policy ({@code TransportSelection}: the migration strategy, or a pinned transport), a fallback
 * channel that moves a call from QUIC to gRPC when that is safe, and client interceptors for
 * retries with a budget, one circuit breaker per (peer, transport) and per-attempt metrics and
 * latency, and a client span per attempt; {@code ReplaySafety} says when a call may be sent again.
 * {@link io.blixard.client.BlixardClient} discovers a node's transports and builds such a channel.
 *
 * <p>May use: {@code transport} (the transport names, the unprocessed-request mark), {@code
 * transport.grpc} (the gRPC channel factory), {@code transport.quic.client} (the QUIC channel),
 * {@code migration} (the strategy and its served-on refusal), {@code rpc} (service names, client
 * observations), {@code node} (node ids), generated protos, gRPC's API, Resilience4j, Micrometer.
 * Used by {@code cli}.
 */
package io.blixard.client;
