package io.blixard.health;

import io.blixard.node.NodeId;
import java.time.Instant;

/** The answer to a ping: the payload echoed with the server's clock. */
public record PingReply(byte[] payload, Instant serverTime, NodeId nodeId) {}
