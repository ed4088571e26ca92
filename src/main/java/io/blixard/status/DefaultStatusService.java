package io.blixard.status;

import io.blixard.cluster.ClusterView;
import io.blixard.cluster.PeerContact;
import io.blixard.cluster.RaftRole;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.RegisteredNode;
import io.blixard.node.NodeId;
import java.time.Instant;
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

  private final ClusterView view;

  public DefaultStatusService(ClusterView view) {
    this.view = view;
  }

  @Override
  public ClusterStatus clusterStatus() {
    RaftState state = view.requireState();
    Instant now = Instant.now();
    Map<NodeId, RegisteredNode> registry =
        view.registry().stream()
            .collect(Collectors.toMap(RegisteredNode::nodeId, Function.identity()));
    Map<String, ClusterStatus.ClusterMember> members = new TreeMap<>();
    for (RaftState.Member member : state.members()) {
      Optional<RegisteredNode> registered = Optional.ofNullable(registry.get(member.nodeId()));
      PeerContact contact = view.contact(state, member.nodeId(), now);
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
              contact.lastContact(),
              registered.map(RegisteredNode::joinedAt),
              contact.reachable(),
              contact.probe()));
    }
    // A registry entry whose node has left the Raft group is still shown, as a non-voter.
    for (RegisteredNode node : registry.values()) {
      if (members.containsKey(node.nodeId().value())) {
        continue;
      }
      PeerContact contact = view.contact(state, node.nodeId(), now);
      members.put(
          node.nodeId().value(),
          new ClusterStatus.ClusterMember(
              node.nodeId(),
              node.raftAddress(),
              node.grpcAddress(),
              node.quicAddress(),
              node.httpAddress(),
              RaftRole.UNKNOWN,
              false,
              contact.lastContact(),
              Optional.of(node.joinedAt()),
              contact.reachable(),
              contact.probe()));
    }
    return new ClusterStatus(
        state.leaderId(),
        state.term(),
        state.groupId(),
        state.nodeId(),
        List.copyOf(members.values()),
        state.appliedIndex(),
        state.commitIndex(),
        state.sinceLeaderContact(now));
  }

  @Override
  public RaftState raftStatus() {
    return view.requireState();
  }
}
