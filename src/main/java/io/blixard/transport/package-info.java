/**
 * The transports' plug-in boundary: {@link io.blixard.transport.Transport} names them, {@link
 * io.blixard.transport.TransportMode} says which run ({@code blixard.transport.mode}), {@link
 * io.blixard.transport.ConditionalOnTransport} switches a plug-in's listener on, {@link
 * io.blixard.transport.TransportListener} is what each listener reports for health, and {@link
 * io.blixard.transport.UnprocessedRequestException} is how a plug-in's client says a call failed
 * before its request left (so that it may be sent again), and {@link
 * io.blixard.transport.ChannelFactory} is what each plug-in gives clients to reach a node.
 *
 * <p>May use: {@code node} (addresses), gRPC's API. The plug-ins ({@code transport.grpc}, {@code
 * transport.quic}) depend on it, never the other way round.
 */
package io.blixard.transport;
