package io.blixard.cluster;

import io.blixard.node.DataDirectory;
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

  private volatile RaftServer server;
  private volatile RaftClient client;
  private volatile RaftGroupId groupId;

  public RaftNode(
      NodeIdentity identity,
      DataDirectory dataDirectory,
      NodeEndpoints endpoints,
      ClusterProperties properties) {
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

    Optional<RaftGroupId> existing = existingGroup(storageDir);
    groupId = existing.orElseGet(() -> RaftGroupId.valueOf(UUID.randomUUID()));
    RaftGroup group = RaftGroup.valueOf(groupId, selfPeer);

    RaftProperties raftProperties = new RaftProperties();
    RaftServerConfigKeys.setStorageDir(raftProperties, List.of(storageDir.toFile()));
    GrpcConfigKeys.Server.setHost(raftProperties, raft.bindAddress());
    GrpcConfigKeys.Server.setPort(raftProperties, port);
    RaftServerConfigKeys.Rpc.setTimeoutMin(raftProperties, duration(raft.electionTimeoutMin()));
    RaftServerConfigKeys.Rpc.setTimeoutMax(raftProperties, duration(raft.electionTimeoutMax()));
    RaftServerConfigKeys.Rpc.setRequestTimeout(raftProperties, duration(raft.requestTimeout()));
    RaftServerConfigKeys.Snapshot.setAutoTriggerEnabled(raftProperties, true);
    RaftServerConfigKeys.Snapshot.setAutoTriggerThreshold(raftProperties, raft.snapshotThreshold());
    RaftServerConfigKeys.Snapshot.setTriggerWhenStopEnabled(raftProperties, true);

    try {
      server =
          RaftServer.newBuilder()
              .setServerId(self)
              .setGroup(group)
              .setStateMachine(stateMachine)
              .setProperties(raftProperties)
              .setOption(
                  existing.isPresent()
                      ? RaftStorage.StartupOption.RECOVER
                      : RaftStorage.StartupOption.FORMAT)
              .build();
      server.start();
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot start the Raft server on port " + port + " with storage " + storageDir + ": " + e,
          e);
    }
    endpoints.publish(NodeEndpoints.Kind.RAFT, port);
    client =
        RaftClient.newBuilder()
            .setProperties(raftProperties)
            .setRaftGroup(group)
            .setRetryPolicy(
                RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                    5, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
            .build();
    log.info(
        "Raft server {} on port {}, group {} ({})",
        identity.nodeId().shortForm(),
        port,
        groupId.getUuid(),
        existing.isPresent() ? "recovered from " + storageDir : "bootstrapped in " + storageDir);
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
