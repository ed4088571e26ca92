package io.blixard.status;

import io.blixard.cluster.RaftNode;
import io.blixard.cluster.RaftRole;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.RegisteredNode;
import io.blixard.node.NodeId;
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

  public DefaultStatusService(RaftNode raft) {
    this.raft = raft;
  }

  @Override
  public ClusterStatus clusterStatus() {
    RaftState state = raft.requireState();
    Map<NodeId, RegisteredNode> registry =
        raft.registry().stream()
            .collect(Collectors.toMap(RegisteredNode::nodeId, Function.identity()));
    Map<String, ClusterStatus.ClusterMember> members = new TreeMap<>();
    for (RaftState.Member member : state.members()) {
      Optional<RegisteredNode> registered = Optional.ofNullable(registry.get(member.nodeId()));
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
              member.lastContact(),
              registered.map(RegisteredNode::joinedAt)));
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
                  Optional.empty(),
                  Optional.of(node.joinedAt())));
    }
    return new ClusterStatus(
        state.leaderId(),
        state.term(),
        state.groupId(),
        state.nodeId(),
        List.copyOf(new ArrayList<>(members.values())));
  }

  @Override
  public RaftState raftStatus() {
    return raft.requireState();
  }
}
