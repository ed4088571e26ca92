package io.blixard.transport.quic.raft;

import io.blixard.support.TestNode;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** What the Raft router's per-peer gauge says on a test node. */
final class RaftPeerGauges {

  private RaftPeerGauges() {}

  /**
   * {@code blixard_raft_peer_transport{peer,transport}} on {@code node}: 1 when its last Raft call
   * to {@code peer} took {@code transport}, 0 otherwise or before the first.
   */
  static double peerTransport(TestNode node, TestNode peer, String transport) {
    Gauge gauge =
        node.bean(MeterRegistry.class)
            .find(RaftRouting.PEER_TRANSPORT)
            .tag("peer", peer.id().value())
            .tag("transport", transport)
            .gauge();
    return gauge == null ? 0 : gauge.value();
  }
}
