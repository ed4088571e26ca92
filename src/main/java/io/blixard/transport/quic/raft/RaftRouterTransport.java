package io.blixard.transport.quic.raft;

import io.blixard.cluster.RaftTransportPlugIn;
import java.util.Map;
import java.util.Objects;

/**
 * The Raft router as the Raft engine's transport plug-in (dual mode with {@code
 * blixard.transport.quic.raft-router.enabled}): Raft keeps Ratis's gRPC Raft port, which stays the
 * node's Raft address, and arrives on the QUIC listener as well; each peer's Raft calls go over the
 * transport the current strategy names ({@link RaftRouting}). Ratis's sizes are those of Raft over
 * QUIC, so that any message fits either transport.
 */
public final class RaftRouterTransport implements RaftTransportPlugIn {

  private final QuicRaftTransport quic;
  private final RaftRouting routing;

  public RaftRouterTransport(QuicRaftTransport quic, RaftRouting routing) {
    this.quic = Objects.requireNonNull(quic, "quic");
    this.routing = Objects.requireNonNull(routing, "routing");
  }

  @Override
  public String name() {
    return "grpc+quic";
  }

  @Override
  public String rpcTypeClassName() {
    return RaftRouterRpcType.class.getName();
  }

  @Override
  public Map<String, Object> parameters() {
    return Map.of(
        QuicRaftEndpoint.PARAMETER,
        quic.parameters().get(QuicRaftEndpoint.PARAMETER),
        RaftRouting.PARAMETER,
        routing);
  }

  @Override
  public Map<String, String> raftProperties() {
    return quic.raftProperties();
  }

  @Override
  public boolean keepsRaftPort() {
    return true;
  }

  @Override
  public int listen() {
    return quic.listen();
  }
}
