package io.blixard.status;

import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.PeerProbe;
import io.blixard.cluster.PeerProbes;
import io.blixard.cluster.RaftNode;
import io.blixard.cluster.RaftRole;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.RegisteredNode;
import io.blixard.node.NodeId;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.springframework.stereotype.Service;

/** Joins the Raft configuration and the replicated registry into one view of the cluster. */
@Service
public class DefaultStatusService implements StatusService {

  private final RaftNode raft;
  private final PeerProbes probes;
  private final Duration peerTimeout;

  public DefaultStatusService(RaftNode raft, PeerProbes probes, ClusterProperties properties) {
    this.raft = raft;
    this.probes = probes;
    this.peerTimeout = properties.peerTimeout();
  }

  @Override
  public ClusterStatus clusterStatus() {
    RaftState state = raft.requireState();
    Instant now = Instant.now();
    Map<NodeId, RegisteredNode> registry =
        raft.registry().stream()
            .collect(Collectors.toMap(RegisteredNode::nodeId, Function.identity()));
    Map<String, ClusterStatus.ClusterMember> members = new TreeMap<>();
    for (RaftState.Member member : state.members()) {
      Optional<RegisteredNode> registered = Optional.ofNullable(registry.get(member.nodeId()));
      Optional<PeerProbe> probe = probeOf(state, member.nodeId());
      members.put(
          member.nodeId().value(),
          new ClusterStatus.ClusterMember(
              member.nodeId(),
              member.raftAddress(),
              registered.map(RegisteredNode::grpcAddress).orElse(""),
              registered.map(RegisteredNode::quicAddress).orElse(""),
              registered.map(RegisteredNode::httpAddress).orElse(""),
              member.role(),
              member.voter(),
              latest(member.lastContact(), probe.flatMap(PeerProbe::lastContact)),
              registered.map(RegisteredNode::joinedAt),
              member.nodeId().equals(state.nodeId())
                  || member.reachable(now, peerTimeout)
                  || probedWithin(probe, now),
              probe));
    }
    // A registry entry whose node has left the Raft group is still shown, as a non-voter.
    for (RegisteredNode node : registry.values()) {
      members.computeIfAbsent(
          node.nodeId().value(),
          id ->
              new ClusterStatus.ClusterMember(
                  node.nodeId(),
                  node.raftAddress(),
                  node.grpcAddress(),
                  node.quicAddress(),
                  node.httpAddress(),
                  RaftRole.UNKNOWN,
                  false,
                  probeOf(state, node.nodeId()).flatMap(PeerProbe::lastContact),
                  Optional.of(node.joinedAt()),
                  probedWithin(probeOf(state, node.nodeId()), now),
                  probeOf(state, node.nodeId())));
    }
    return new ClusterStatus(
        state.leaderId(),
        state.term(),
        state.groupId(),
        state.nodeId(),
        List.copyOf(new ArrayList<>(members.values())),
        state.appliedIndex(),
        state.commitIndex(),
        state.sinceLeaderContact(now));
  }

  private Optional<PeerProbe> probeOf(RaftState state, NodeId nodeId) {
    return nodeId.equals(state.nodeId()) ? Optional.empty() : probes.probe(nodeId);
  }

  private boolean probedWithin(Optional<PeerProbe> probe, Instant now) {
    return probe
        .flatMap(PeerProbe::lastContact)
        .filter(c -> !c.isBefore(now.minus(peerTimeout)))
        .isPresent();
  }

  private static Optional<Instant> latest(Optional<Instant> a, Optional<Instant> b) {
    if (a.isEmpty()) {
      return b;
    }
    if (b.isEmpty()) {
      return a;
    }
    return a.get().isAfter(b.get()) ? a : b;
  }

  @Override
  public RaftState raftStatus() {
    return raft.requireState();
  }
}
