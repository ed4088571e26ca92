package io.blixard.cluster.raft;

import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.ClusterUnavailableException;
import io.blixard.cluster.CommittedState;
import io.blixard.cluster.GroupMembers;
import io.blixard.cluster.MembershipClient;
import io.blixard.cluster.RaftTransportPlugIn;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.node.DataDirectory;
import io.blixard.node.NodeAddress;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.node.StartupException;
import io.blixard.security.SecurityRefusals;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.proto.RaftProtos.RoleInfoProto;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.util.ExitUtils;
import org.apache.ratis.util.TimeDuration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import org.springframework.util.FileSystemUtils;

/**
 * The node's embedded Apache Ratis server and its one Raft group, from start to stop. On first
 * start it bootstraps a one-node group in {@code <data-dir>/raft}, or joins the members of {@code
 * blixard.cluster.join} through a {@link GroupJoiner}; after a restart it recovers the same group,
 * log and registry from there. Reading its state is {@link RaftClusterView}'s job, changing the
 * configuration {@link RaftAdmin}'s, proposing registry commands {@link RaftCommandLog}'s.
 */
@Component
public class RaftNode implements SmartLifecycle {

  /** Starts before the transports, so that their first calls find Raft running. */
  public static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 2048;

  /** How long {@link #stop()} waits for Ratis to close. */
  static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(20);

  private static final Logger log = LoggerFactory.getLogger(RaftNode.class);

  static {
    // A Ratis failure must surface as an exception to Spring, never as System.exit inside Ratis.
    ExitUtils.disableSystemExit();
  }

  private final NodeIdentity identity;
  private final DataDirectory dataDirectory;
  private final NodeEndpoints endpoints;
  private final ClusterProperties properties;
  private final AtomicLong leaderChanges = new AtomicLong();
  private final ClusterStateMachine stateMachine;
  private final GroupJoiner joiner;
  private final RaftTls tls;
  private final RaftTransportPlugIn transport;
  private final Parameters parameters;

  private volatile RaftServer server;
  private volatile RaftClient client;
  private volatile RaftProperties clientProperties;
  private volatile RaftGroupId groupId;

  /** A node whose Raft port is plaintext. */
  public RaftNode(
      NodeIdentity identity,
      DataDirectory dataDirectory,
      NodeEndpoints endpoints,
      ClusterProperties properties,
      NodeRegistry registry,
      MembershipClient membershipClient) {
    this(
        identity,
        dataDirectory,
        endpoints,
        properties,
        registry,
        membershipClient,
        null,
        RaftTls.plaintext(),
        (RaftTransportPlugIn) null);
  }

  /** The node Spring builds: Raft on the transport plug-in when there is one. */
  @Autowired
  public RaftNode(
      NodeIdentity identity,
      DataDirectory dataDirectory,
      NodeEndpoints endpoints,
      ClusterProperties properties,
      NodeRegistry registry,
      MembershipClient membershipClient,
      SecurityRefusals refusals,
      RaftTls tls,
      ObjectProvider<RaftTransportPlugIn> transport) {
    this(
        identity,
        dataDirectory,
        endpoints,
        properties,
        registry,
        membershipClient,
        refusals,
        tls,
        transport.getIfAvailable());
  }

  /**
   * @param membershipClient how to call the members of {@code blixard.cluster.join}; may be null
   *     for a node that never joins (it bootstraps its own group or recovers the one it has)
   * @param refusals counts the registry commands the state machine refuses; may be null
   * @param tls mutual TLS between members on the Raft port, or plaintext
   * @param transport the transport that carries Raft in place of Ratis's gRPC; null for Ratis's
   *     gRPC transport on its own port
   */
  public RaftNode(
      NodeIdentity identity,
      DataDirectory dataDirectory,
      NodeEndpoints endpoints,
      ClusterProperties properties,
      NodeRegistry registry,
      MembershipClient membershipClient,
      SecurityRefusals refusals,
      RaftTls tls,
      RaftTransportPlugIn transport) {
    if (membershipClient == null && !properties.join().isEmpty()) {
      throw new IllegalArgumentException(
          "blixard.cluster.join is set but no client for member calls is configured");
    }
    this.identity = identity;
    this.dataDirectory = dataDirectory;
    this.endpoints = endpoints;
    this.properties = properties;
    this.tls = Objects.requireNonNull(tls, "tls");
    this.transport = transport;
    this.parameters = tls.parameters(this::replicatesTo);
    if (transport != null) {
      transport.parameters().forEach((key, value) -> parameters.put(key, value, Object.class));
      Predicate<NodeId> peerTrust = tls.peerTrust(this::replicatesTo);
      if (peerTrust != null) {
        parameters.put(RaftTransportPlugIn.PEER_TRUST, peerTrust, Object.class);
      }
    }
    this.joiner =
        membershipClient == null
            ? null
            : new GroupJoiner(
                identity,
                endpoints,
                properties.joinRetry(),
                membershipClient,
                properties.joinToken(),
                tls::trustProvisionally,
                registry.commandVersion());
    this.stateMachine =
        new ClusterStateMachine(
            registry,
            leader -> {
              leaderChanges.incrementAndGet();
              log.info("Raft leader is now {}", leader);
            },
            (where, reason) -> {
              if (refusals != null) {
                refusals.count("raft", reason);
              }
            });
  }

  /**
   * Whether the state machine met a committed command of a kind this node's command-set version
   * does not have, and stopped applying the log there (the node must be upgraded).
   */
  public boolean stoppedApplying() {
    return stateMachine.stopped();
  }

  @Override
  public synchronized void start() {
    if (server != null) {
      return;
    }
    Path storageDir = dataDirectory.subdirectory(DataDirectory.RAFT);
    // Raft's address is where Raft arrives: Ratis's own port, or the plug-in's listener.
    boolean raftPort = transport == null || transport.keepsRaftPort();
    int port = raftPort ? RaftServerSettings.port(properties.raft()) : transport.listen();
    if (transport != null && raftPort) {
      transport.listen();
    }
    RaftPeerId self = RaftPeerId.valueOf(identity.nodeId().value());
    RaftPeer selfPeer =
        RaftPeer.newBuilder()
            .setId(self)
            .setAddress(endpoints.advertisedHost() + ":" + port)
            .build();
    RaftProperties raftProperties =
        RaftServerSettings.raftProperties(properties.raft(), storageDir, port);
    if (transport != null) {
      RaftServerSettings.useTransport(raftProperties, transport);
    }
    Optional<RaftGroupId> existing = RaftServerSettings.existingGroup(storageDir);
    List<NodeAddress> join = properties.joinAddresses();
    List<RaftPeer> clientPeers;
    String how;
    if (existing.isPresent()) {
      groupId = existing.get();
      // Ratis recovers the configuration from the log; the group given here is only its seed.
      startServer(RaftGroup.valueOf(groupId, selfPeer), raftProperties, true, port, storageDir);
      clientPeers = recoveredPeers(selfPeer);
      how = "recovered from " + storageDir;
      if (!join.isEmpty()) {
        how += "; blixard.cluster.join is not used: this node is already a member";
      }
      if (properties.bootstrap() == ClusterProperties.Bootstrap.NEW) {
        how += "; blixard.cluster.bootstrap=new is not used: this node is already a member";
      }
    } else if (join.isEmpty()) {
      groupId = RaftGroupId.valueOf(UUID.randomUUID());
      startServer(RaftGroup.valueOf(groupId, selfPeer), raftProperties, false, port, storageDir);
      clientPeers = List.of(selfPeer);
      how = "bootstrapped in " + storageDir;
    } else {
      GroupMembers joined =
          joiner.join(
              join, selfPeer.getAddress(), new JoiningServer(raftProperties, port, storageDir));
      clientPeers = joined.members().stream().map(RaftAdmin::toPeer).toList();
      how =
          "joined through "
              + joined.reportedBy().shortForm()
              + ", "
              + joined.members().size()
              + " members";
    }
    endpoints.publish(NodeEndpoints.Kind.RAFT, port);
    clientProperties = raftProperties;
    client = newClient(raftProperties, clientPeers);
    log.info(
        "Raft server {} on {} port {} with {}, group {} ({})",
        identity.nodeId().shortForm(),
        transport == null ? "its gRPC" : "the " + transport.name(),
        port,
        tls.enabled() ? "mutual TLS between members" : "no TLS",
        groupId.getUuid(),
        how);
    if (transport != null && !raftPort) {
      log.info(
          "Raft runs on the {} listener: its port is Raft's address, and"
              + " blixard.cluster.raft.port and bind-address are not used",
          transport.name());
    } else if (transport != null) {
      log.info(
          "Raft arrives on the Raft port and on the QUIC listener; each peer's Raft calls take"
              + " the transport the strategy's raft-transport names, falling back to the other");
    }
    if (!tls.enabled()) {
      log.warn(
          "The Raft port {} is plaintext and accepts anyone (blixard.security.mode=insecure):"
              + " any process that reaches it can write to the cluster's registry",
          port);
    }
  }

  /**
   * Whether this node leads and sends entries to {@code id}: Ratis replicates to a peer being added
   * before any configuration names it, on a member's authenticated request.
   */
  private boolean replicatesTo(NodeId id) {
    return currentDivision()
        .filter(d -> d.getInfo().isLeader())
        .map(d -> d.getInfo().getRoleInfoProto())
        .filter(RoleInfoProto::hasLeaderInfo)
        .map(
            r ->
                r.getLeaderInfo().getFollowerInfoList().stream()
                    .anyMatch(f -> f.getId().getId().toStringUtf8().equals(id.value())))
        .orElse(false);
  }

  /** The recovered configuration, with this node where it listens now. */
  private List<RaftPeer> recoveredPeers(RaftPeer selfPeer) {
    List<RaftPeer> peers =
        currentDivision()
            .map(d -> List.copyOf(d.getRaftConf().getAllPeers()))
            .filter(p -> !p.isEmpty())
            .orElse(List.of(selfPeer));
    peers.stream()
        .filter(
            p ->
                p.getId().equals(selfPeer.getId()) && !p.getAddress().equals(selfPeer.getAddress()))
        .findFirst()
        .ifPresent(
            p -> {
              if (transport != null && transport.reachesMembersByRegisteredAddress()) {
                log.info(
                    "This node's Raft address is now {}; the group knows it as {} (its Raft"
                        + " address before it moved to Raft over QUIC): the members reach it at its"
                        + " QUIC address in the registry.",
                    selfPeer.getAddress(),
                    p.getAddress());
              } else {
                log.warn(
                    "This node's Raft address is now {} but the group knows it as {}: the other"
                        + " members cannot reach it. Keep blixard.cluster.raft.port and"
                        + " blixard.node.advertise-host stable across restarts.",
                    selfPeer.getAddress(),
                    p.getAddress());
              }
            });
    return Stream.concat(
            Stream.of(selfPeer), peers.stream().filter(p -> !p.getId().equals(selfPeer.getId())))
        .toList();
  }

  private void startServer(
      RaftGroup group, RaftProperties raftProperties, boolean recover, int port, Path storageDir) {
    RaftServer started = null;
    try {
      started =
          RaftServer.newBuilder()
              .setServerId(RaftPeerId.valueOf(identity.nodeId().value()))
              .setGroup(group)
              .setStateMachine(stateMachine)
              .setProperties(raftProperties)
              .setParameters(parameters)
              .setOption(
                  recover ? RaftStorage.StartupOption.RECOVER : RaftStorage.StartupOption.FORMAT)
              .build();
      started.start();
      server = started;
    } catch (IOException | RuntimeException e) {
      // Ratis's threads (not daemons) would keep a JVM whose start failed running.
      closeQuietly(started);
      if (!recover) {
        throw new IllegalStateException(
            "cannot start the Raft server on port "
                + port
                + " with storage "
                + storageDir
                + ": "
                + e,
            e);
      }
      throw new StartupException(
          "cannot recover the Raft state in "
              + storageDir
              + " (group "
              + group.getGroupId().getUuid()
              + "): "
              + rootCause(e),
          "The Raft log or snapshot is damaged. If the other members have a quorum, delete "
              + dataDirectory.root()
              + " after removing this node (blixard cluster leave --id "
              + identity.nodeId()
              + " on a member) and start it again with blixard.cluster.join to rejoin as a new"
              + " member; otherwise restore the data directory from a backup (docs/operations.md).",
          e);
    }
  }

  private static String rootCause(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  private RaftClient newClient(RaftProperties raftProperties, List<RaftPeer> peers) {
    return RaftClient.newBuilder()
        .setProperties(raftProperties)
        .setParameters(parameters)
        .setRaftGroup(RaftGroup.valueOf(groupId, peers))
        .setRetryPolicy(
            RetryPolicies.retryUpToMaximumCountWithFixedSleep(
                10, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS)))
        .build();
  }

  /** The server a join starts in the group it learns, and forgets when the join fails. */
  private final class JoiningServer implements GroupJoiner.GroupServer {

    private final RaftProperties raftProperties;
    private final int port;
    private final Path storageDir;

    JoiningServer(RaftProperties raftProperties, int port, Path storageDir) {
      this.raftProperties = raftProperties;
      this.port = port;
      this.storageDir = storageDir;
    }

    @Override
    public Optional<String> groupId() {
      return server == null ? Optional.empty() : Optional.of(groupId.getUuid().toString());
    }

    @Override
    public String storage() {
      return storageDir.toString();
    }

    @Override
    public void start(String group) {
      groupId = RaftGroupId.valueOf(UUID.fromString(group));
      // An empty configuration: the server waits for the leader to catch it up.
      startServer(RaftGroup.valueOf(groupId, List.of()), raftProperties, false, port, storageDir);
    }

    @Override
    public void abandon() {
      RaftServer started = server;
      server = null;
      if (started == null) {
        return;
      }
      closeQuietly(started);
      if (groupId != null) {
        FileSystemUtils.deleteRecursively(
            storageDir.resolve(groupId.getUuid().toString()).toFile());
      }
    }
  }

  @Override
  public void stop() {
    RaftClient closingClient;
    RaftServer closingServer;
    synchronized (this) {
      endpoints.withdraw(NodeEndpoints.Kind.RAFT);
      closingClient = client;
      closingServer = server;
      client = null;
      server = null;
    }
    if (closingClient == null && closingServer == null) {
      return;
    }
    // Bounded: a close that hangs inside Ratis must not keep the JVM from shutting down.
    Thread closer =
        new Thread(
            () -> {
              closeQuietly(closingClient);
              closeQuietly(closingServer);
            },
            "blixard-raft-close");
    closer.setDaemon(true);
    closer.start();
    try {
      closer.join(CLOSE_TIMEOUT.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    if (closer.isAlive()) {
      log.warn(
          "The Raft server did not close within {} s; shutting down without waiting for it (it"
              + " was at {})",
          CLOSE_TIMEOUT.toSeconds(),
          Stream.of(closer.getStackTrace()).limit(8).map(String::valueOf).toList());
    }
  }

  @Override
  public boolean isRunning() {
    return server != null;
  }

  @Override
  public int getPhase() {
    return PHASE;
  }

  /**
   * The state machine's state at the entry it applied last, with its index and term.
   *
   * @throws ClusterUnavailableException when Raft is not running or has applied nothing yet
   */
  public CommittedState committedState() {
    if (server == null) {
      throw new ClusterUnavailableException(
          "Raft is not running on this node, cannot save its state");
    }
    return stateMachine
        .committed()
        .orElseThrow(
            () ->
                new ClusterUnavailableException(
                    "this node has applied no Raft log entry yet, there is no state to save"));
  }

  /** This node's Raft client, which follows the leader. */
  RaftClient client(String what) {
    RaftClient current = client;
    if (current == null) {
      throw new ClusterUnavailableException("Raft is not running on this node, cannot " + what);
    }
    return current;
  }

  /**
   * Replaces {@code broken} with a new client, if it is still this node's. Ratis closes an async
   * client's ordered window for good once one request runs out of retries (no leader for longer
   * than the retry policy waits, as while a quorum is lost): every later request through it fails
   * with {@code AlreadyClosedException}, so without a new client this node could never write to the
   * registry again.
   */
  synchronized void renewClient(RaftClient broken, Throwable cause) {
    RaftServer running = server;
    if (broken == null || client != broken || running == null) {
      return;
    }
    RaftPeer self =
        currentDivision()
            .map(RaftServer.Division::getPeer)
            .orElseGet(() -> RaftPeer.newBuilder().setId(running.getId()).build());
    client = newClient(clientProperties, recoveredPeers(self));
    // Not here: this runs on the broken client's own completion thread, under this node's lock.
    CompletableFuture.runAsync(() -> closeQuietly(broken));
    log.warn("Replaced this node's Raft client, closed by Ratis after: {}", rootCause(cause));
  }

  /** This node's division of the group; empty when Raft is not running. */
  Optional<RaftServer.Division> currentDivision() {
    RaftServer current = server;
    RaftGroupId gid = groupId;
    if (current == null || gid == null) {
      return Optional.empty();
    }
    try {
      return Optional.of(current.getDivision(gid));
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** The Raft port's TLS, whose provisional trust admits a node being added. */
  RaftTls tls() {
    return tls;
  }

  /** How many times this node has seen the leader change since it started. */
  long leaderChanges() {
    return leaderChanges.get();
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
