package io.blixard.cluster.raft;

import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.ClusterView;
import io.blixard.cluster.PeerProbe;
import io.blixard.cluster.PeerProbes;
import io.blixard.cluster.RaftRole;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.RegisteredNode;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.springframework.stereotype.Component;

/**
 * The {@link ClusterView} of this node: Ratis's division info mapped to a {@link RaftState}, the
 * registry as the state machine applied it, and the peer probes.
 */
@Component
public class RaftClusterView implements ClusterView {

  private final RaftNode node;
  private final NodeRegistry registry;
  private final PeerProbes probes;
  private final NodeId self;
  private final Duration peerTimeout;

  public RaftClusterView(
      RaftNode node,
      NodeRegistry registry,
      PeerProbes probes,
      NodeIdentity identity,
      ClusterProperties properties) {
    this.node = node;
    this.registry = registry;
    this.probes = probes;
    this.self = identity.nodeId();
    this.peerTimeout = properties.peerTimeout();
  }

  @Override
  public NodeId nodeId() {
    return self;
  }

  @Override
  public Optional<RaftState> state() {
    return node.currentDivision().map(this::snapshot);
  }

  @Override
  public List<RegisteredNode> registry() {
    return registry.nodes();
  }

  @Override
  public Optional<PeerProbe> probe(NodeId peer) {
    return probes.probe(peer);
  }

  @Override
  public Duration peerTimeout() {
    return peerTimeout;
  }

  @Override
  public long leaderChanges() {
    return node.leaderChanges();
  }

  private RaftState snapshot(RaftServer.Division division) {
    DivisionInfo info = division.getInfo();
    RoleInfoProto roleInfo = info.getRoleInfoProto();
    RaftRole role = toRole(info.getCurrentRole());
    Instant now = Instant.now();
    Optional<NodeId> leader =
        Optional.ofNullable(info.getLeaderId()).map(id -> NodeId.parse(id.toString()));
    TermIndex lastEntry = division.getRaftLog().getLastEntryTermIndex();
    long lastLogIndex = lastEntry == null ? 0 : lastEntry.getIndex();

    Map<String, Long> contactAgoMillis = new HashMap<>();
    List<ServerRpcProto> followerInfos = List.of();
    if (roleInfo.hasLeaderInfo()) {
      followerInfos = roleInfo.getLeaderInfo().getFollowerInfoList();
      followerInfos.forEach(f -> contactAgoMillis.put(idOf(f), f.getLastRpcElapsedTimeMs()));
    } else if (roleInfo.hasFollowerInfo() && roleInfo.getFollowerInfo().hasLeaderInfo()) {
      ServerRpcProto leaderRpc = roleInfo.getFollowerInfo().getLeaderInfo();
      contactAgoMillis.put(idOf(leaderRpc), leaderRpc.getLastRpcElapsedTimeMs());
    }

    List<RaftState.Member> members = new ArrayList<>();
    var conf = division.getRaftConf();
    Stream.concat(
            conf.getCurrentPeers(RaftPeerRole.FOLLOWER).stream().map(p -> Map.entry(p, true)),
            conf.getCurrentPeers(RaftPeerRole.LISTENER).stream().map(p -> Map.entry(p, false)))
        .forEach(
            entry -> {
              RaftPeer peer = entry.getKey();
              boolean voter = entry.getValue();
              NodeId id = NodeId.parse(peer.getId().toString());
              RaftRole memberRole;
              Optional<Instant> contact;
              if (id.equals(self)) {
                memberRole = role;
                contact = Optional.of(now);
              } else {
                memberRole =
                    leader.filter(id::equals).isPresent()
                        ? RaftRole.LEADER
                        : role == RaftRole.LEADER
                            ? (voter ? RaftRole.FOLLOWER : RaftRole.LISTENER)
                            : RaftRole.UNKNOWN;
                contact =
                    Optional.ofNullable(contactAgoMillis.get(id.value()))
                        .map(ago -> now.minusMillis(ago));
              }
              members.add(new RaftState.Member(id, peer.getAddress(), voter, memberRole, contact));
            });

    List<RaftState.FollowerProgress> followers = new ArrayList<>();
    if (role == RaftRole.LEADER) {
      long[] match = info.getFollowerMatchIndices();
      long[] next = info.getFollowerNextIndices();
      // Ratis lists followers, match and next indices in the same order of its log appenders.
      for (int i = 0; i < followerInfos.size(); i++) {
        long m = i < match.length ? match[i] : 0;
        long n = i < next.length ? next[i] : 0;
        followers.add(
            new RaftState.FollowerProgress(
                NodeId.parse(idOf(followerInfos.get(i))),
                m,
                n,
                Math.max(0, lastLogIndex - m),
                followerInfos.get(i).getLastRpcElapsedTimeMs()));
      }
    }
    return new RaftState(
        self,
        division.getGroup().getGroupId().getUuid().toString(),
        role,
        info.getCurrentTerm(),
        leader,
        division.getRaftLog().getLastCommittedIndex(),
        info.getLastAppliedIndex(),
        lastLogIndex,
        List.copyOf(members),
        List.copyOf(followers));
  }

  private static String idOf(ServerRpcProto rpc) {
    return rpc.getId().getId().toStringUtf8();
  }

  private static RaftRole toRole(RaftPeerRole role) {
    if (role == null) {
      return RaftRole.UNKNOWN;
    }
    return switch (role) {
      case LEADER -> RaftRole.LEADER;
      case FOLLOWER -> RaftRole.FOLLOWER;
      case CANDIDATE -> RaftRole.CANDIDATE;
      case LISTENER -> RaftRole.LISTENER;
      default -> RaftRole.UNKNOWN;
    };
  }
}
