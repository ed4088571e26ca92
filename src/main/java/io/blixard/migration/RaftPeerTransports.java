package io.blixard.migration;

import java.util.Map;

/**
 * Which transport each peer's Raft traffic takes now, as the Raft router of a dual-mode node knows
 * it: what {@code /actuator/transports} shows as {@code raftPeers}.
 */
public interface RaftPeerTransports {

  /** Per peer node id, the transport ({@code grpc} or {@code quic}) its last Raft call took. */
  Map<String, String> transportsInUse();
}
