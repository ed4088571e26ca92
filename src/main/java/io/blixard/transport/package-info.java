/**
 * The transports' plug-in boundary: {@link io.blixard.transport.Transport} names them, {@link
 * io.blixard.transport.TransportMode} says which run ({@code blixard.transport.mode}), {@link
 * io.blixard.transport.ConditionalOnTransport} switches a plug-in's listener on, and {@link
 * io.blixard.transport.TransportListener} is what each listener reports for health.
 *
 * <p>Depends on no other package of the node: the plug-ins ({@code transport.grpc}, {@code
 * transport.quic}) depend on it, never the other way round.
 */
package io.blixard.transport;
