/**
 * The node as a client of the other members: one channel per member address (gRPC or QUIC pinned to
 * the member's node id), membership calls to the leader, and the periodic probe of every peer whose
 * results {@link io.blixard.cluster.PeerProbes} keeps.
 *
 * <p>May use: {@code cluster}, {@code node}, {@code migration}, {@code api} (message conversions),
 * {@code rpc} (the node's transport figures, client observations), {@code transport} and the
 * transports' channel factories ({@code transport.grpc}, {@code transport.quic.client}), generated
 * protos.
 */
package io.blixard.peers;
