/**
 * Raft over Blixard RPC on QUIC: an Apache Ratis RPC plug-in ({@code QuicRpcType}, loaded by Ratis
 * by class name, and its {@code QuicRaftFactory}) whose server RPC ({@code QuicRaftServerRpc}) and
 * client RPC ({@code QuicRaftClientRpc}) send Ratis's own protobuf messages, serialized, as calls
 * of {@code blixard.raft.v1.RaftService} over the node's pooled QUIC connections, each pinned to
 * the peer's node id; {@code QuicRaftService} serves that service to the Ratis server from the
 * node's QUIC server, to trusted members only. {@code QuicRaftTransport} is the {@code
 * cluster.RaftTransportPlugIn} that hands all this to the Raft engine; {@code QuicRaftEndpoint} is
 * what the plug-in, the factory and the service share.
 *
 * <p>The Raft router (dual mode): {@code RaftRouterRpcType} / {@code RaftRouterFactory} / {@code
 * RaftRouterServerRpc} keep Ratis's gRPC listener on the Raft port and add the QUIC one, and send
 * each peer's calls over the transport {@code RaftPathChooser} picks from the current strategy —
 * {@code GrpcRaftPath} (Ratis's generated gRPC stubs) or the QUIC calls — with fallback and probes;
 * {@code RaftRouting} is what it reads at run time and shows ({@code RaftRouterTransport} hands it
 * to the Raft engine).
 *
 * <p>May use: {@code transport.quic}, {@code transport.quic.client}, {@code transport.quic.server},
 * {@code cluster} (the plug-in interface, the registry's addresses), {@code migration} (the
 * strategy), {@code node}, {@code rpc} (the caller), gRPC's API, Micrometer, Apache Ratis (this and
 * {@code cluster.raft} are the only packages that may). Never {@code cluster.raft}: the two meet
 * only through Ratis's plug-in interfaces.
 */
package io.blixard.transport.quic.raft;
