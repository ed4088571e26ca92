package io.blixard.cluster;

import io.blixard.node.NodeAddress;
import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.List;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.ConstructorBinding;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the node's membership in the Raft cluster.
 *
 * @param raft The embedded Raft server.
 * @param peerTimeout How long a member may stay silent before this node counts it as unreachable.
 * @param join Members to ask for admission on first start ({@code host:grpcPort} or {@code
 *     NODEID@host:quicPort}); empty bootstraps a new one-node group. Ignored once the node has Raft
 *     state in its data directory: a member that restarts never joins again.
 * @param joinRetry How a first start retries its join.
 * @param peers How this node probes its peers.
 * @param joinToken The join token this node presents when it joins ({@code
 *     blx1.<issuer>.<id>.<secret>} from {@code blixard cluster token create} or the first node's
 *     log, or a pre-shared {@code <id>.<secret>}); empty when an operator pre-admitted its node id
 *     ({@code blixard cluster admit NODEID}). With the {@code blx1} form, {@code host:port} join
 *     addresses are dialled expecting the issuer's node id.
 * @param bootstrap Whether a node without Raft state may bootstrap a new group: {@code auto}
 *     bootstraps when {@code blixard.cluster.join} is empty and joins otherwise; {@code new} says
 *     this node starts a new cluster (join must be empty); {@code never} says it only ever joins
 *     existing members (join must name them), so that a node that lost its data never starts a
 *     second, separate cluster. A node with Raft state recovers its group whatever the value.
 * @param commandVersion Highest command-set version of registry commands this node applies and
 *     reports in its registry record; 0 (the default) for the highest this build has. The cluster
 *     proposes a kind of command only once every member reports its version, so a lower value on
 *     one node holds the cluster at that version during an upgrade, while going back to the
 *     previous build must stay possible (CockroachDB's preserve-downgrade option). A node refuses
 *     to start with a value above its build's highest.
 */
@Validated
@ConfigurationProperties("blixard.cluster")
public record ClusterProperties(
    @DefaultValue @Valid @NestedConfigurationProperty Raft raft,
    @DefaultValue("5s") @NotNull Duration peerTimeout,
    @DefaultValue List<String> join,
    @DefaultValue @Valid @NestedConfigurationProperty JoinRetry joinRetry,
    @DefaultValue @Valid @NestedConfigurationProperty Peers peers,
    String joinToken,
    @DefaultValue("auto") Bootstrap bootstrap,
    @DefaultValue("0") @Min(0) Integer commandVersion) {

  private static final String JOIN = "blixard.cluster.join";

  /** When a node without Raft state may bootstrap a new group ({@link #bootstrap()}). */
  public enum Bootstrap {
    /** Bootstraps when no member to join is configured. */
    AUTO,
    /** Bootstraps a new group; no member to join may be configured. */
    NEW,
    /** Never bootstraps: joins the configured members, or fails to start. */
    NEVER
  }

  @ConstructorBinding
  public ClusterProperties {
    joinToken = joinToken == null ? "" : joinToken.trim();
    bootstrap = bootstrap == null ? Bootstrap.AUTO : bootstrap;
    commandVersion = commandVersion == null ? 0 : commandVersion;
    if (commandVersion < 0) {
      throw new IllegalArgumentException(
          "blixard.cluster.command-version: "
              + commandVersion
              + " (expected: 0 for the build's highest, or a version >= 1)");
    }
    if (peerTimeout != null && (peerTimeout.isNegative() || peerTimeout.isZero())) {
      throw new IllegalArgumentException(
          "blixard.cluster.peer-timeout: " + peerTimeout + " (expected: > 0)");
    }
    join = join == null ? List.of() : List.copyOf(join);
    join.forEach(address -> NodeAddress.parse(JOIN, address));
    if (bootstrap == Bootstrap.NEW && !join.isEmpty()) {
      throw new IllegalArgumentException(
          "blixard.cluster.bootstrap=new with blixard.cluster.join "
              + join
              + " (expected: no members to join when bootstrapping a new cluster, or"
              + " bootstrap=never to join them)");
    }
    if (bootstrap == Bootstrap.NEVER && join.isEmpty()) {
      throw new IllegalArgumentException(
          "blixard.cluster.bootstrap=never without blixard.cluster.join (expected: the members"
              + " to join, host:grpcPort or NODEID@host:quicPort)");
    }
    joinRetry = joinRetry == null ? new JoinRetry(null, null, null, null) : joinRetry;
    peers = peers == null ? new Peers(null, null) : peers;
  }

  public ClusterProperties(
      Raft raft, Duration peerTimeout, List<String> join, JoinRetry joinRetry, Peers peers) {
    this(raft, peerTimeout, join, joinRetry, peers, "", Bootstrap.AUTO, 0);
  }

  public ClusterProperties(
      Raft raft,
      Duration peerTimeout,
      List<String> join,
      JoinRetry joinRetry,
      Peers peers,
      String joinToken) {
    this(raft, peerTimeout, join, joinRetry, peers, joinToken, Bootstrap.AUTO, 0);
  }

  /** The member addresses of {@link #join()}, parsed. */
  public List<NodeAddress> joinAddresses() {
    return join.stream().map(address -> NodeAddress.parse(JOIN, address)).toList();
  }

  /**
   * Retries of a join on first start: every member address is tried in turn, then the node waits
   * and tries again, until the timeout. The waits are an exponential backoff with jitter: doubling
   * from the initial backoff, each randomized by up to half either way (so that nodes started
   * together do not call in step), never longer than the maximum or the time left.
   *
   * @param initialBackoff Wait after the first round of failed attempts, before jitter.
   * @param maxBackoff Longest wait between rounds.
   * @param timeout How long a first start may try to join before start-up fails with every cause.
   * @param callTimeout Deadline of each call to a member (a join waits for the configuration
   *     change, which waits for this node to catch up with the leader's log).
   */
  public record JoinRetry(
      @DefaultValue("200ms") Duration initialBackoff,
      @DefaultValue("5s") Duration maxBackoff,
      @DefaultValue("2m") Duration timeout,
      @DefaultValue("15s") Duration callTimeout) {

    public JoinRetry {
      initialBackoff = initialBackoff == null ? Duration.ofMillis(200) : initialBackoff;
      maxBackoff = maxBackoff == null ? Duration.ofSeconds(5) : maxBackoff;
      timeout = timeout == null ? Duration.ofMinutes(2) : timeout;
      callTimeout = callTimeout == null ? Duration.ofSeconds(15) : callTimeout;
      requirePositive("blixard.cluster.join-retry.initial-backoff", initialBackoff);
      requirePositive("blixard.cluster.join-retry.timeout", timeout);
      requirePositive("blixard.cluster.join-retry.call-timeout", callTimeout);
      if (maxBackoff.compareTo(initialBackoff) < 0) {
        throw new IllegalArgumentException(
            "blixard.cluster.join-retry.max-backoff: "
                + maxBackoff
                + " (expected: >= initial-backoff, "
                + initialBackoff
                + ")");
      }
    }
  }

  /**
   * The peer connector: one connection per peer, probed with Ping.
   *
   * @param probeInterval Time between two probes of a peer.
   * @param probeTimeout Deadline of one probe; a probe that misses it counts as a failure.
   */
  public record Peers(
      @DefaultValue("1s") Duration probeInterval, @DefaultValue("2s") Duration probeTimeout) {

    public Peers {
      probeInterval = probeInterval == null ? Duration.ofSeconds(1) : probeInterval;
      probeTimeout = probeTimeout == null ? Duration.ofSeconds(2) : probeTimeout;
      requirePositive("blixard.cluster.peers.probe-interval", probeInterval);
      requirePositive("blixard.cluster.peers.probe-timeout", probeTimeout);
    }
  }

  private static void requirePositive(String key, Duration value) {
    if (value.isNegative() || value.isZero()) {
      throw new IllegalArgumentException(key + ": " + value + " (expected: > 0)");
    }
  }

  /**
   * The embedded Apache Ratis server.
   *
   * @param port TCP port of the Raft server (Ratis over gRPC). 0 picks a free port at start-up.
   * @param bindAddress Address the Raft server listens on.
   * @param electionTimeoutMin Shortest time a follower waits for the leader before it starts an
   *     election.
   * @param electionTimeoutMax Longest time a follower waits for the leader before it starts an
   *     election.
   * @param requestTimeout How long a write to the registry may take before it fails.
   * @param snapshotThreshold Number of log entries after which the registry is snapshotted and the
   *     log before it may be purged.
   */
  public record Raft(
      @DefaultValue("7000") @Min(0) @Max(65535) Integer port,
      @DefaultValue("0.0.0.0") @NotBlank String bindAddress,
      @DefaultValue("600ms") @NotNull Duration electionTimeoutMin,
      @DefaultValue("1200ms") @NotNull Duration electionTimeoutMax,
      @DefaultValue("5s") @NotNull Duration requestTimeout,
      @DefaultValue("1024") @NotNull @Min(1) Long snapshotThreshold) {

    public Raft {
      // The same defaults for code that builds one without the binder.
      port = port == null ? 7000 : port;
      bindAddress = bindAddress == null ? "0.0.0.0" : bindAddress;
      electionTimeoutMin = electionTimeoutMin == null ? Duration.ofMillis(600) : electionTimeoutMin;
      electionTimeoutMax =
          electionTimeoutMax == null ? Duration.ofMillis(1200) : electionTimeoutMax;
      requestTimeout = requestTimeout == null ? Duration.ofSeconds(5) : requestTimeout;
      snapshotThreshold = snapshotThreshold == null ? 1024L : snapshotThreshold;
      if (electionTimeoutMin != null && electionTimeoutMin.isNegative()
          || electionTimeoutMin.isZero()) {
        throw new IllegalArgumentException(
            "blixard.cluster.raft.election-timeout-min: "
                + electionTimeoutMin
                + " (expected: > 0)");
      }
      if (electionTimeoutMin != null
          && electionTimeoutMax != null
          && electionTimeoutMax.compareTo(electionTimeoutMin) <= 0) {
        throw new IllegalArgumentException(
            "blixard.cluster.raft.election-timeout-max: "
                + electionTimeoutMax
                + " (expected: > election-timeout-min, "
                + electionTimeoutMin
                + ")");
      }
    }
  }
}
