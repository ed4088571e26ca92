package io.blixard.cluster;

import io.blixard.node.DataDirectory;
import io.blixard.node.NodeAddress;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.cluster.v1.NodeRecord;
import io.blixard.proto.cluster.v1.RegistryCommand;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.proto.RaftProtos.ServerRpcProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.DivisionInfo;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.ExitUtils;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

/**
 * The node's embedded Apache Ratis server and its one Raft group. On first start it bootstraps a
 * one-node group in {@code <data-dir>/raft}; after a restart it recovers the same group, log and
 * registry from there.
 */
@Component
public class RaftNode implements SmartLifecycle {

  /** Starts before the transports, so that their first calls find Raft running. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 2048;

  private static final Logger log = LoggerFactory.getLogger(RaftNode.class);

  private final NodeIdentity identity;
  private final DataDirectory dataDirectory;
  private final NodeEndpoints endpoints;
  private final ClusterProperties properties;
  private final AtomicLong leaderChanges = new AtomicLong();
  private final ClusterStateMachine stateMachine;
  private final MembershipClient membershipClient;

  private volatile boolean leaving;
  private volatile RaftServer server;
  private volatile RaftClient client;
  private volatile RaftGroupId groupId;

  /** A node that never joins: it bootstraps its own group or recovers the one it has. */
  public RaftNode(
      NodeIdentity identity,
      DataDirectory dataDirectory,
      NodeEndpoints endpoints,
      ClusterProperties properties) {
    this(identity, dataDirectory, endpoints, properties, null);
  }

  @org.springframework.beans.factory.annotation.Autowired
  public RaftNode(
      NodeIdentity identity,
      DataDirectory dataDirectory,
      NodeEndpoints endpoints,
      ClusterProperties properties,
      MembershipClient membershipClient) {
    if (membershipClient == null && !properties.join().isEmpty()) {
      throw new IllegalArgumentException(
          "blixard.cluster.join is set but no client for member calls is configured");
    }
    this.membershipClient = membershipClient;
    this.identity = identity;
    this.dataDirectory = dataDirectory;
    this.endpoints = endpoints;
    this.properties = properties;
    this.stateMachine =
        new ClusterStateMachine(
            leader -> {
              leaderChanges.incrementAndGet();
              log.info("Raft leader is now {}", leader);
            });
  }

  static {
    // A Ratis failure must surface as an exception to Spring, never as System.exit inside Ratis.
    ExitUtils.disableSystemExit();
  }

  @Override
  public synchronized void start() {
    if (server != null) {
      return;
    }
    Path storageDir = dataDirectory.subdirectory("raft");
    ClusterProperties.Raft raft = properties.raft();
    int port =
        raft.port() == 0
            ? freePort(raft.bindAddress())
            : requireFree(raft.bindAddress(), raft.port());
    RaftPeerId self = RaftPeerId.valueOf(identity.nodeId().value());
    RaftPeer selfPeer =
        RaftPeer.newBuilder()
            .setId(self)
            .setAddress(endpoints.advertisedHost() + ":" + port)
            .build();
    RaftProperties raftProperties = raftProperties(storageDir, port);
    Optional<RaftGroupId> existing = existingGroup(storageDir);
    List<NodeAddress> join = properties.joinAddresses();
    List<RaftPeer> clientPeers;
    String how;
    if (existing.isPresent()) {
      groupId = existing.get();
      // Ratis recovers the configuration from the log; the group given here is only its seed.
      startServer(RaftGroup.valueOf(groupId, selfPeer), raftProperties, true, port, storageDir);
      clientPeers = currentPeers().orElse(List.of(selfPeer));
      clientPeers.stream()
          .filter(p -> p.getId().equals(self) && !p.getAddress().equals(selfPeer.getAddress()))
          .findFirst()
          .ifPresent(
              p ->
                  log.warn(
                      "This node's Raft address is now {} but the group knows it as {}: the other"
                          + " members cannot reach it. Keep blixard.cluster.raft.port and"
                          + " blixard.node.advertise-host stable across restarts.",
                      selfPeer.getAddress(),
                      p.getAddress()));
      // This node's own client reaches it where it listens now.
      clientPeers =
          Stream.concat(
                  Stream.of(selfPeer), clientPeers.stream().filter(p -> !p.getId().equals(self)))
              .toList();
      how = "recovered from " + storageDir;
      if (!join.isEmpty()) {
        how += "; blixard.cluster.join is not used: this node is already a member";
      }
    } else if (join.isEmpty()) {
      groupId = RaftGroupId.valueOf(UUID.randomUUID());
      startServer(RaftGroup.valueOf(groupId, selfPeer), raftProperties, false, port, storageDir);
      clientPeers = List.of(selfPeer);
      how = "bootstrapped in " + storageDir;
    } else {
      GroupMembers joined = joinGroup(join, selfPeer, raftProperties, port, storageDir);
      clientPeers = joined.members().stream().map(RaftNode::toPeer).toList();
      how =
          "joined through "
              + joined.reportedBy().shortForm()
              + ", "
              + joined.members().size()
              + " members";
    }
    endpoints.publish(NodeEndpoints.Kind.RAFT, port);
    client = newClient(raftProperties, clientPeers);
    log.info(
        "Raft server {} on port {}, group {} ({})",
        identity.nodeId().shortForm(),
        port,
        groupId.getUuid(),
        how);
  }

  private RaftProperties raftProperties(Path storageDir, int port) {
    ClusterProperties.Raft raft = properties.raft();
    RaftProperties raftProperties = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(raftProperties, List.of(storageDir.toFile()));
    GrpcConfigKeys.Server.setHost(raftProperties, raft.bindAddress());
    GrpcConfigKeys.Server.setPort(raftProperties, port);
    RaftServerConfigKeys.Rpc.setTimeoutMin(raftProperties, duration(raft.electionTimeoutMin()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(raftProperties, duration(raft.electionTimeoutMax()));
    RaftServerConfigKeys.Rpc.setRequestTimeout(raftProperties, duration(raft.requestTimeout()));
    // A leader that has not heard from a majority for this long steps down (Ratis's default is
    // 10 s); followers lose their leader after an election timeout. Both make readiness DOWN.
    RaftServerConfigKeys.LeaderElection.setLeaderStepDownWaitTime(
        raftProperties, duration(raft.electionTimeoutMax().multipliedBy(2)));
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(raftProperties, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(raftProperties, raft.snapshotThreshold());
    RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(raftProperties, true);
    return raftProperties;
  }

  private void startServer(
      RaftGroup group, RaftProperties raftProperties, boolean recover, int port, Path storageDir) {
    try {
      RaftServer started =
          RaftServer.newBuilder()
              .setServerId(RaftPeerId.valueOf(identity.nodeId().value()))
              .setGroup(group)
              .setStateMachine(stateMachine)
              .setProperties(raftProperties)
              .setOption(
                  recover ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
              .build();
      started.start();
      server = started;
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot start the Raft server on port " + port + " with storage " + storageDir + ": " + e,
          e);
    }
  }

  private RaftClient newClient(RaftProperties raftProperties, List<RaftPeer> peers) {
    return RaftClient.newBuilder()
        .setProperties(raftProperties)
        .setRaftGroup(RaftGroup.valueOf(groupId, peers))
        .setRetryPolicy(
            RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                10, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
        .build();
  }

  /**
   * Joins the group through the configured members: learns the group from one, starts this node's
   * Raft server in it with an empty configuration (the leader fills it in), and asks to be added.
   * Tries every member in turn and retries with backoff; fails start-up with every cause when the
   * time is up or a member refuses for a reason retrying cannot fix.
   */
  private GroupMembers joinGroup(
      List<NodeAddress> members,
      RaftPeer selfPeer,
      RaftProperties raftProperties,
      int port,
      Path storageDir) {
    MembershipClient membership = membershipClient;
    ClusterProperties.JoinRetry retry = properties.joinRetry();
    NodeId self = identity.nodeId();
    JoinApplication application =
        new JoinApplication(
            self,
            identity.certificate().getPublicKey().getEncoded(),
            selfPeer.getAddress(),
            endpoints.hostAndPort(NodeEndpoints.Kind.GRPC),
            endpoints.hostAndPort(NodeEndpoints.Kind.QUIC),
            endpoints.hostAndPort(NodeEndpoints.Kind.HTTP));
    long deadline = System.nanoTime() + retry.timeout().toNanos();
    java.time.Duration backoff = retry.initialBackoff();
    Map<String, String> failures = new java.util.LinkedHashMap<>();
    while (true) {
      for (NodeAddress member : members) {
        try {
          GroupMembers group = membership.members(member, retry.callTimeout());
          if (server == null) {
            group
                .member(self)
                .ifPresent(
                    m -> {
                      throw new JoinException(
                          JoinException.Reason.CONFLICT,
                          "node "
                              + self
                              + " is already a voter of group "
                              + group.groupId()
                              + " (Raft address "
                              + m.raftAddress()
                              + ") but has no Raft state in "
                              + storageDir
                              + ": its data was lost. Remove it first (blixard cluster leave --id "
                              + self
                              + " on a member), then start it again");
                    });
          }
          if (group.leaderId().isEmpty()) {
            throw new JoinException(
                JoinException.Reason.LEADER_UNKNOWN,
                "member "
                    + group.reportedBy().shortForm()
                    + " knows no Raft leader in term "
                    + group.term()
                    + " (the group may have lost its quorum)");
          }
          RaftGroupId target = RaftGroupId.valueOf(UUID.fromString(group.groupId()));
          if (server != null && !target.equals(groupId)) {
            abandonJoin(storageDir);
          }
          if (server == null) {
            groupId = target;
            // An empty configuration: the server waits for the leader to catch it up.
            startServer(
                RaftGroup.valueOf(groupId, List.of()), raftProperties, false, port, storageDir);
          }
          GroupMembers joined = membership.join(member, application, retry.callTimeout());
          log.info(
              "Joined group {} through {}: leader {}, {} members",
              joined.groupId(),
              member,
              joined.leaderId().map(NodeId::shortForm).orElse("unknown"),
              joined.members().size());
          return joined;
        } catch (JoinException e) {
          failures.put(member.toString(), e.reason() + ": " + e.getMessage());
          if (!e.reason().retryable()) {
            abandonJoin(storageDir);
            throw new IllegalStateException(
                "cannot join the cluster through " + member + ": " + e.getMessage(), e);
          }
        }
      }
      long left = deadline - System.nanoTime();
      if (left <= backoff.toNanos()) {
        abandonJoin(storageDir);
        throw new IllegalStateException(
            "cannot join the cluster within "
                + retry.timeout()
                + " (blixard.cluster.join-retry.timeout); last failure per member: "
                + failures);
      }
      log.warn("Join not complete, trying again in {}: {}", backoff, failures);
      try {
        Thread.sleep(backoff.toMillis());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        abandonJoin(storageDir);
        throw new IllegalStateException("interrupted while joining the cluster", e);
      }
      java.time.Duration doubled = backoff.multipliedBy(2);
      backoff = doubled.compareTo(retry.maxBackoff()) > 0 ? retry.maxBackoff() : doubled;
    }
  }

  /** Stops a server started for a join that did not complete, and forgets its storage. */
  private void abandonJoin(Path storageDir) {
    RaftServer started = server;
    server = null;
    if (started == null) {
      return;
    }
    closeQuietly(started);
    if (groupId != null) {
      org.springframework.util.FileSystemUtils.deleteRecursively(
          storageDir.resolve(groupId.getUuid().toString()).toFile());
    }
  }

  @Override
  public synchronized void stop() {
    endpoints.withdraw(NodeEndpoints.Kind.RAFT);
    closeQuietly(client);
    closeQuietly(server);
    client = null;
    server = null;
  }

  @Override
  public boolean isRunning() {
    return server != null;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /** The nodes in the replicated registry, ordered by node id. */
  public List<RegisteredNode> registry() {
    return stateMachine.nodes().stream().map(RaftNode::toRegisteredNode).toList();
  }

  /** Adds this node to the registry or updates its addresses, through the Raft log. */
  public CompletableFuture<Void> register(RegisteredNode node) {
    NodeRecord record =
        NodeRecord.newBuilder()
            .setNodeId(node.nodeId().value())
            .setRaftAddress(node.raftAddress())
            .setGrpcAddress(node.grpcAddress())
            .setQuicAddress(node.quicAddress())
            .setHttpAddress(node.httpAddress())
            .setJoinedAtMillis(node.joinedAt().toEpochMilli())
            .setUpdatedAtMillis(node.updatedAt().toEpochMilli())
            .build();
    return submit(RegistryCommand.newBuilder().setUpsert(record).build());
  }

  private CompletableFuture<Void> submit(RegistryCommand command) {
    RaftClient current = client;
    if (current == null) {
      return CompletableFuture.failedFuture(new IllegalStateException("Raft is not running"));
    }
    return current
        .async()
        .send(Message.valueOf(ByteString.copyFrom(command.toByteArray())))
        .orTimeout(properties.raft().requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .thenApply(RaftNode::checkReply);
  }

  private static Void checkReply(RaftClientReply reply) {
    if (!reply.isSuccess()) {
      throw new IllegalStateException(
          "Raft rejected the registry write: "
              + (reply.getException() == null ? "no reason given" : reply.getException()));
    }
    return null;
  }

  /** The group as this node sees it: id, leader, term and the members of its configuration. */
  public GroupMembers members() {
    RaftState state = requireState();
    List<GroupMembers.Member> members =
        state.members().stream()
            .map(m -> new GroupMembers.Member(m.nodeId(), m.raftAddress(), m.voter()))
            .toList();
    return new GroupMembers(
        state.groupId(), state.leaderId(), state.term(), members, state.nodeId());
  }

  /**
   * Adds a voter through a Raft configuration change, sent to the leader by this node's Raft
   * client. Returns once the new configuration is committed, which needs the new server to have
   * caught up with the leader's log.
   *
   * @throws ClusterUnavailableException when the change did not complete
   */
  public void addVoter(NodeId nodeId, String raftAddress) {
    RaftPeer peer = toPeer(new GroupMembers.Member(nodeId, raftAddress, true));
    admin(
        "add " + nodeId.shortForm() + " (" + raftAddress + ") as a voter",
        c ->
            c.admin()
                .setConfiguration(
                    SetConfigurationRequest.Arguments.newBuilder()
                        .setServersInNewConf(List.of(peer))
                        .setMode(SetConfigurationRequest.Mode.ADD)
                        .build()));
  }

  /**
   * Removes a member from the Raft configuration, if it is in it.
   *
   * @return whether it was a member
   * @throws ClusterUnavailableException when the change did not complete
   */
  public boolean removeMember(NodeId nodeId) {
    RaftServer.Division division = division();
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

  /**
   * Asks the leader to hand leadership to another voter, and waits until it has.
   *
   * @throws ClusterUnavailableException when the transfer did not complete
   */
  public void transferLeadership(NodeId to) {
    long timeoutMs = properties.raft().electionTimeoutMax().multipliedBy(4).toMillis();
    admin(
        "transfer leadership to " + to.shortForm(),
        c -> c.admin().transferLeadership(RaftPeerId.valueOf(to.value()), timeoutMs));
  }

  /** Records that this node is leaving the group: it must not register itself again. */
  void markLeaving() {
    leaving = true;
  }

  /** Whether this node has begun to leave the group since it started. */
  public boolean isLeaving() {
    return leaving;
  }

  /** Removes a node's record from the registry, through the Raft log. */
  public CompletableFuture<Void> unregister(NodeId nodeId) {
    return submit(RegistryCommand.newBuilder().setRemove(nodeId.value()).build());
  }

  private interface AdminCall {
    RaftClientReply call(RaftClient client) throws IOException;
  }

  private void admin(String what, AdminCall call) {
    RaftClient current = client;
    if (current == null) {
      throw new ClusterUnavailableException("Raft is not running on this node, cannot " + what);
    }
    RaftClientReply reply;
    try {
      reply = call.call(current);
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

  private RaftServer.Division division() {
    RaftServer current = server;
    RaftGroupId gid = groupId;
    if (current == null || gid == null) {
      throw new ClusterUnavailableException("Raft is not running on this node");
    }
    try {
      return current.getDivision(gid);
    } catch (IOException e) {
      throw new ClusterUnavailableException("Raft group " + gid + " is not running: " + e);
    }
  }

  private Optional<List<RaftPeer>> currentPeers() {
    try {
      List<RaftPeer> peers = List.copyOf(division().getRaftConf().getAllPeers());
      return peers.isEmpty() ? Optional.empty() : Optional.of(peers);
    } catch (ClusterUnavailableException e) {
      return Optional.empty();
    }
  }

  private static RaftPeer toPeer(GroupMembers.Member member) {
    return RaftPeer.newBuilder()
        .setId(RaftPeerId.valueOf(member.nodeId().value()))
        .setAddress(member.raftAddress())
        .build();
  }

  /** How many times this node has seen the leader change since it started. */
  public long leaderChanges() {
    return leaderChanges.get();
  }

  /**
   * This node's view of the group now.
   *
   * @throws ClusterUnavailableException when Raft is not running
   */
  public RaftState requireState() {
    return state()
        .orElseThrow(() -> new ClusterUnavailableException("Raft is not running on this node"));
  }

  /** This node's view of the group now; empty when Raft is not running. */
  public Optional<RaftState> state() {
    RaftServer current = server;
    RaftGroupId gid = groupId;
    if (current == null || gid == null) {
      return Optional.empty();
    }
    RaftServer.Division division;
    try {
      division = current.getDivision(gid);
    } catch (IOException e) {
      return Optional.empty();
    }
    return Optional.of(snapshot(division));
  }

  private RaftState snapshot(RaftServer.Division division) {
    DivisionInfo info = division.getInfo();
    RoleInfoProto roleInfo = info.getRoleInfoProto();
    RaftRole role = toRole(info.getCurrentRole());
    Instant now = Instant.now();
    NodeId self = identity.nodeId();
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
                            ? (entry.getValue() ? RaftRole.FOLLOWER : RaftRole.LISTENER)
                            : RaftRole.UNKNOWN;
                contact =
                    Optional.ofNullable(contactAgoMillis.get(id.value()))
                        .map(ago -> now.minusMillis(ago));
              }
              members.add(
                  new RaftState.Member(
                      id, peer.getAddress(), entry.getValue(), memberRole, contact));
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
        groupId.getUuid().toString(),
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

  private static RegisteredNode toRegisteredNode(NodeRecord r) {
    return new RegisteredNode(
        NodeId.parse(r.getNodeId()),
        r.getRaftAddress(),
        r.getGrpcAddress(),
        r.getQuicAddress(),
        r.getHttpAddress(),
        Instant.ofEpochMilli(r.getJoinedAtMillis()),
        Instant.ofEpochMilli(r.getUpdatedAtMillis()));
  }

  /** The group whose directory Ratis left in the storage directory, if any. */
  private static Optional<RaftGroupId> existingGroup(Path storageDir) {
    List<RaftGroupId> groups = new ArrayList<>();
    try (Stream<Path> entries = Files.list(storageDir)) {
      entries
          .filter(Files::isDirectory)
          .forEach(
              dir -> {
                try {
                  groups.add(RaftGroupId.valueOf(UUID.fromString(dir.getFileName().toString())));
                } catch (IllegalArgumentException notAGroup) {
                  // Not a Ratis group directory.
                }
              });
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + storageDir, e);
    }
    if (groups.size() > 1) {
      throw new IllegalStateException(
          storageDir
              + " holds "
              + groups.size()
              + " Raft groups "
              + groups
              + " (expected: at most one; remove the stale group directories)");
    }
    return groups.stream().findFirst();
  }

  /**
   * Fails with a clear message when the port is taken: Ratis itself would end the JVM on a failed
   * bind.
   */
  private static int requireFree(String bindAddress, int port) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.setReuseAddress(true);
      socket.bind(new InetSocketAddress(bindAddress, port));
      return port;
    } catch (IOException e) {
      throw new IllegalStateException(
          "Raft port "
              + port
              + " on "
              + bindAddress
              + " is not available ("
              + e.getMessage()
              + "); expected: a free port in blixard.cluster.raft.port",
          e);
    }
  }

  private static int freePort(String bindAddress) {
    try (ServerSocket socket = new ServerSocket()) {
      socket.bind(new InetSocketAddress(bindAddress, 0));
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot find a free port on " + bindAddress, e);
    }
  }

  private static TimeDuration duration(java.time.Duration d) {
    return TimeDuration.valueOf(d.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static void closeQuietly(AutoCloseable closeable) {
    if (closeable == null) {
      return;
    }
    try {
      closeable.close();
    } catch (Exception e) {
      log.warn("Error while closing {}", closeable, e);
    }
  }
}
