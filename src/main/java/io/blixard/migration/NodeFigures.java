package io.blixard.migration;

import io.blixard.rpc.TransportFigures;
import java.util.Map;
import java.util.Objects;

/**
 * One member's transport figures as the canary guard collected them: counted since the member
 * started (its {@code instance}), per side, service and transport.
 *
 * @param nodeId the member's node id
 * @param instance the member's start, as {@link TransportFigures#instance()}
 */
public record NodeFigures(
    String nodeId, long instance, Map<TransportFigures.Key, TransportFigures.Counts> counts) {

  public NodeFigures {
    Objects.requireNonNull(nodeId, "nodeId");
    counts = Map.copyOf(counts);
  }
}
