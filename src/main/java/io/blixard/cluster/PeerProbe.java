package io.blixard.cluster;

import io.blixard.node.NodeId;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;

/**
 * What this node last learned by probing a peer with Ping.
 *
 * @param address where the peer was probed ({@code host:port}, or {@code NODEID@host:port})
 * @param reachable whether the last probe was answered
 * @param rtt round-trip time of the last answered probe
 * @param lastContact when a probe was last answered
 * @param error why the last probe failed; empty after an answer
 * @param probedAt when the last probe finished
 */
public record PeerProbe(
    NodeId nodeId,
    String address,
    boolean reachable,
    Optional<Duration> rtt,
    Optional<Instant> lastContact,
    Optional<String> error,
    Instant probedAt) {}
