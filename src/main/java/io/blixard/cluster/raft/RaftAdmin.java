package io.blixard.cluster.raft;

import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.ClusterUnavailableException;
import io.blixard.cluster.GroupAdmin;
import io.blixard.cluster.GroupMembers;
import io.blixard.node.NodeId;
import java.io.IOException;
import java.util.List;
import java.util.stream.Stream;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.server.RaftServer;
import org.springframework.stereotype.Component;

/**
 * The {@link GroupAdmin} of Ratis: each change goes to the leader through this node's Raft client
 * (which follows the leader when it moves) and returns once it is done.
 */
@Component
public class RaftAdmin implements GroupAdmin {

  private final RaftNode node;
  private final ClusterProperties properties;

  public RaftAdmin(RaftNode node, ClusterProperties properties) {
    this.node = node;
    this.properties = properties;
  }

  @Override
  public void addVoter(NodeId nodeId, String raftAddress) {
    RaftPeer peer = toPeer(new GroupMembers.Member(nodeId, raftAddress, true));
    // The leader replicates to the new server before any committed configuration names it.
    node.tls().trustProvisionally(List.of(nodeId));
    try {
      admin(
          "add " + nodeId.shortForm() + " (" + raftAddress + ") as a voter",
          c ->
              c.admin()
                  .setConfiguration(
                      SetConfigurationRequest.Arguments.newBuilder()
                          .setServersInNewConf(List.of(peer))
                          .setMode(SetConfigurationRequest.Mode.ADD)
                          .build()));
    } catch (RuntimeException e) {
      node.tls().forget(nodeId);
      throw e;
    }
  }

  @Override
  public boolean removeMember(NodeId nodeId) {
    RaftServer.Division division =
        node.currentDivision()
            .orElseThrow(() -> new ClusterUnavailableException("Raft is not running on this node"));
    var conf = division.getRaftConf();
    List<RaftPeer> voters = List.copyOf(conf.getCurrentPeers(RaftPeerRole.FOLLOWER));
    List<RaftPeer> listeners = List.copyOf(conf.getCurrentPeers(RaftPeerRole.LISTENER));
    RaftPeerId id = RaftPeerId.valueOf(nodeId.value());
    boolean member =
        Stream.concat(voters.stream(), listeners.stream()).anyMatch(p -> p.getId().equals(id));
    if (!member) {
      return false;
    }
    List<RaftPeer> newVoters = voters.stream().filter(p -> !p.getId().equals(id)).toList();
    if (newVoters.isEmpty()) {
      throw new IllegalStateException(
          "node "
              + nodeId
              + " is the only voter of the group; a group needs at least one voter"
              + " (expected: a node that is not the last one)");
    }
    admin(
        "remove " + nodeId.shortForm() + " from the group",
        c ->
            c.admin()
                .setConfiguration(
                    SetConfigurationRequest.Arguments.newBuilder()
                        .setServersInCurrentConf(voters)
                        .setListenersInCurrentConf(listeners)
                        .setServersInNewConf(newVoters)
                        .setListenersInNewConf(
                            listeners.stream().filter(p -> !p.getId().equals(id)).toList())
                        .setMode(SetConfigurationRequest.Mode.COMPARE_AND_SET)
                        .build()));
    return true;
  }

  @Override
  public void transferLeadership(NodeId to) {
    long timeoutMs = properties.raft().electionTimeoutMax().multipliedBy(4).toMillis();
    admin(
        "transfer leadership to " + to.shortForm(),
        c -> c.admin().transferLeadership(RaftPeerId.valueOf(to.value()), timeoutMs));
  }

  static RaftPeer toPeer(GroupMembers.Member member) {
    return RaftPeer.newBuilder()
        .setId(RaftPeerId.valueOf(member.nodeId().value()))
        .setAddress(member.raftAddress())
        .build();
  }

  private interface AdminCall {
    RaftClientReply call(RaftClient client) throws IOException;
  }

  private void admin(String what, AdminCall call) {
    RaftClientReply reply;
    try {
      reply = call.call(node.client(what));
    } catch (IOException e) {
      throw new ClusterUnavailableException("cannot " + what + ": " + e);
    }
    if (!reply.isSuccess()) {
      throw new ClusterUnavailableException(
          "cannot "
              + what
              + ": "
              + (reply.getException() == null ? "Raft gave no reason" : reply.getException()));
    }
  }
}
