package io.blixard.cluster;

import io.blixard.node.NodeId;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * The results of probing each peer (reachability, round-trip time, last contact), kept for health,
 * status and metrics. The transport layer does the probing and records here. Metrics per peer:
 * {@code blixard.peer.reachable{peer}}, {@code blixard.peer.rtt{peer}} (seconds) and {@code
 * blixard.peer.probes{peer,outcome}}.
 */
@Component
public class PeerProbes {

  private final Map<NodeId, PeerProbe> probes = new ConcurrentHashMap<>();
  private final Map<NodeId, List<Meter>> meters = new ConcurrentHashMap<>();
  private final MeterRegistry registry;

  public PeerProbes(MeterRegistry registry) {
    this.registry = registry;
  }

  /** Records an answered probe. */
  public void answered(NodeId peer, String address, Duration rtt) {
    Instant now = Instant.now();
    probes.put(
        peer,
        new PeerProbe(
            peer, address, true, Optional.of(rtt), Optional.of(now), Optional.empty(), now));
    ensureMeters(peer);
    count(peer, "answered");
  }

  /** Records a probe that failed, keeping the last answered round trip and contact. */
  public void failed(NodeId peer, String address, String error) {
    Instant now = Instant.now();
    probes.compute(
        peer,
        (id, previous) ->
            new PeerProbe(
                id,
                address,
                false,
                previous == null ? Optional.empty() : previous.rtt(),
                previous == null ? Optional.empty() : previous.lastContact(),
                Optional.of(error),
                now));
    ensureMeters(peer);
    count(peer, "failed");
  }

  /** Forgets peers that are no longer members, and their metrics. */
  public void retainOnly(Set<NodeId> peers) {
    for (NodeId id : new ArrayList<>(probes.keySet())) {
      if (!peers.contains(id)) {
        probes.remove(id);
        List<Meter> gone = meters.remove(id);
        if (gone != null) {
          gone.forEach(registry::remove);
        }
        registry
            .find("blixard.peer.probes")
            .tag("peer", id.value())
            .meters()
            .forEach(registry::remove);
      }
    }
  }

  /** The last probe of this peer, if it was probed. */
  public Optional<PeerProbe> probe(NodeId peer) {
    return Optional.ofNullable(probes.get(peer));
  }

  /** Every peer's last probe, ordered by node id. */
  public List<PeerProbe> all() {
    return probes.values().stream().sorted(Comparator.comparing(p -> p.nodeId().value())).toList();
  }

  private void count(NodeId peer, String outcome) {
    Counter.builder("blixard.peer.probes")
        .description("Ping probes of the peer, by outcome (answered, failed)")
        .tags("peer", peer.value(), "outcome", outcome)
        .register(registry)
        .increment();
  }

  private void ensureMeters(NodeId peer) {
    meters.computeIfAbsent(
        peer,
        id -> {
          Tags tags = Tags.of("peer", id.value());
          return List.of(
              Gauge.builder(
                      "blixard.peer.reachable",
                      probes,
                      p -> p.containsKey(id) && p.get(id).reachable() ? 1 : 0)
                  .description("1 when the last Ping probe of the peer was answered, else 0")
                  .tags(tags)
                  .register(registry),
              Gauge.builder(
                      "blixard.peer.rtt",
                      probes,
                      p ->
                          Optional.ofNullable(p.get(id))
                              .flatMap(PeerProbe::rtt)
                              .map(d -> d.toNanos() / 1e9)
                              .orElse(Double.NaN))
                  .description("Round-trip time of the last answered Ping probe of the peer")
                  .baseUnit("seconds")
                  .tags(tags)
                  .register(registry));
        });
  }
}
