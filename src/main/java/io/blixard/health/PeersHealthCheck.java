package io.blixard.health;

import io.blixard.cluster.ClusterView;
import io.blixard.cluster.PeerContact;
import io.blixard.cluster.PeerProbe;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.RegisteredNode;
import io.blixard.node.NodeId;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * Reachable peers out of known peers (the other members of the Raft group and the registry), by
 * {@link ClusterView#contact}: a peer is reachable when its last Ping probe was answered, or when
 * Raft heard from it, within {@code blixard.cluster.peer-timeout}. A single node has no peers and
 * is UP; some unreachable is DEGRADED, none reachable is DOWN. Each peer's reachability, round-trip
 * time and last contact are in the check's readings.
 */
@Component
@Order(3)
public class PeersHealthCheck implements NodeHealthCheck {

  private final ClusterView view;

  public PeersHealthCheck(ClusterView view) {
    this.view = view;
  }

  @Override
  public String name() {
    return "peers";
  }

  @Override
  public CheckResult check() {
    Optional<RaftState> current = view.state();
    if (current.isEmpty()) {
      return new CheckResult(name(), HealthStatus.DOWN, "Raft is not running", Map.of());
    }
    RaftState state = current.get();
    Instant now = Instant.now();
    Duration timeout = view.peerTimeout();
    Set<NodeId> peers = new TreeSet<>(Comparator.comparing(NodeId::value));
    state.members().forEach(m -> peers.add(m.nodeId()));
    view.registry().stream().map(RegisteredNode::nodeId).forEach(peers::add);
    peers.remove(state.nodeId());
    if (peers.isEmpty()) {
      return new CheckResult(
          name(), HealthStatus.UP, "single node, no peers", Map.of("known", "0", "reachable", "0"));
    }
    Map<String, String> readings = new LinkedHashMap<>();
    int reachable = 0;
    for (NodeId peer : peers) {
      PeerContact contact = view.contact(state, peer, now);
      if (contact.reachable()) {
        reachable++;
      }
      readings.put("peer." + peer.shortForm(), describe(contact, now));
    }
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("known", Integer.toString(peers.size()));
    attributes.put("reachable", Integer.toString(reachable));
    attributes.put("timeout", timeout.toString());
    attributes.putAll(readings);
    String detail = reachable + " of " + peers.size() + " peers reachable within " + timeout;
    HealthStatus status =
        reachable == peers.size()
            ? HealthStatus.UP
            : reachable == 0 ? HealthStatus.DOWN : HealthStatus.DEGRADED;
    return new CheckResult(name(), status, detail, attributes);
  }

  private static String describe(PeerContact contact, Instant now) {
    Optional<PeerProbe> probe = contact.probe();
    StringBuilder text = new StringBuilder(contact.reachable() ? "reachable" : "unreachable");
    probe
        .flatMap(PeerProbe::rtt)
        .ifPresent(
            rtt -> text.append(String.format(Locale.ROOT, ", rtt %.2f ms", rtt.toNanos() / 1e6)));
    probe
        .flatMap(PeerProbe::lastContact)
        .ifPresent(
            c ->
                text.append(", last contact ")
                    .append(Duration.between(c, now).toMillis())
                    .append(" ms ago"));
    probe.flatMap(PeerProbe::error).ifPresent(e -> text.append(", last probe: ").append(e));
    if (probe.isEmpty()) {
      text.append(", not probed yet");
    }
    return text.toString();
  }
}
