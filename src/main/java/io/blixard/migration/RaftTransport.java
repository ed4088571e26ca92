package io.blixard.migration;

/** Which transport Raft traffic between nodes uses ({@code strategy.raft-transport}). */
public enum RaftTransport {
  /** Always gRPC (Ratis's own gRPC transport). */
  ALWAYS_GRPC,
  /** Always QUIC. */
  ALWAYS_QUIC,
  /** The faster transport by measured latency, within the adaptive threshold. */
  ADAPTIVE
}
