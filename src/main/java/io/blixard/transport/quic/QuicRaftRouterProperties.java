package io.blixard.transport.quic;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * The Raft router of a dual-mode node (docs/quic.md, "Moving Raft at run time").
 *
 * @param enabled Whether Raft listens on both transports (Ratis's gRPC Raft port and the QUIC
 *     listener) and sends each peer's Raft calls over the transport that the raft-transport of the
 *     strategy the node follows names at that moment, falling back to the other one when it fails.
 *     Needs blixard.transport.mode dual; the node's Raft address stays its Raft port.
 * @param probeInterval How long a transport that failed to carry a peer's Raft call is left alone
 *     (the peer's calls take the other one) before the wanted one is tried again; also how often
 *     adaptive sends one call over the transport it does not use, to keep its latency known, and
 *     the least time adaptive keeps a choice.
 */
@Validated
@ConfigurationProperties("blixard.transport.quic.raft-router")
public record QuicRaftRouterProperties(
    @DefaultValue("false") boolean enabled, @DefaultValue("5s") @NotNull Duration probeInterval) {

  public QuicRaftRouterProperties {
    if (probeInterval != null && (probeInterval.isNegative() || probeInterval.isZero())) {
      throw new IllegalArgumentException(
          "blixard.transport.quic.raft-router.probe-interval: "
              + probeInterval
              + " (expected: > 0)");
    }
  }
}
