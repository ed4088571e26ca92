package io.blixard.cluster.raft;

import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.GroupMembers;
import io.blixard.cluster.JoinApplication;
import io.blixard.cluster.JoinException;
import io.blixard.cluster.MembershipClient;
import io.blixard.cluster.RegisteredNode;
import io.blixard.cluster.registry.CommandVersions;
import io.blixard.cluster.registry.RegistryCommands;
import io.blixard.node.NodeAddress;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.security.CommandSigner;
import io.blixard.security.JoinCredential;
import io.github.resilience4j.core.IntervalFunction;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Joins a group on first start: learns the group from one of the configured members, starts this
 * node's Raft server in it with an empty configuration (the leader fills it in), and asks to be
 * added. Every member is tried in turn; a round in which all failed is retried after an exponential
 * backoff with jitter ({@code blixard.cluster.join-retry}) until the timeout. A member that refuses
 * for a reason retrying cannot fix ends the join at once.
 */
final class GroupJoiner {

  private static final Logger log = LoggerFactory.getLogger(GroupJoiner.class);

  /** Each wait is the exponential one, randomized by up to this factor either way. */
  static final double JITTER = 0.5;

  private final NodeIdentity identity;
  private final int commandVersion;
  private final NodeEndpoints endpoints;
  private final ClusterProperties.JoinRetry settings;
  private final MembershipClient membership;
  private final String joinToken;
  private final Optional<JoinCredential> credential;
  private final Seeds seeds;

  GroupJoiner(
      NodeIdentity identity,
      NodeEndpoints endpoints,
      ClusterProperties.JoinRetry settings,
      MembershipClient membership) {
    this(identity, endpoints, settings, membership, "", ids -> {});
  }

  /**
   * @param joinToken {@code blixard.cluster.join-token}: the proof of admission this node's join
   *     command carries; empty when an operator pre-admitted it
   * @param seeds told the members a join learned, before this node's server starts
   */
  GroupJoiner(
      NodeIdentity identity,
      NodeEndpoints endpoints,
      ClusterProperties.JoinRetry settings,
      MembershipClient membership,
      String joinToken,
      Seeds seeds) {
    this(
        identity,
        endpoints,
        settings,
        membership,
        joinToken,
        seeds,
        CommandVersions.build().highest());
  }

  /**
   * @param commandVersion the command-set version this node applies, written into its join record
   */
  GroupJoiner(
      NodeIdentity identity,
      NodeEndpoints endpoints,
      ClusterProperties.JoinRetry settings,
      MembershipClient membership,
      String joinToken,
      Seeds seeds,
      int commandVersion) {
    this.commandVersion = commandVersion;
    this.identity = identity;
    this.endpoints = endpoints;
    this.settings = settings;
    this.membership = membership;
    this.joinToken = joinToken == null ? "" : joinToken.trim();
    this.credential =
        this.joinToken.isEmpty()
            ? Optional.empty()
            : Optional.of(JoinCredential.parse("blixard.cluster.join-token", this.joinToken));
    this.seeds = seeds;
  }

  /**
   * Told the members a join learned, before this node's server starts: they replicate to it before
   * its own log names them, so its Raft port must already trust them.
   */
  @FunctionalInterface
  interface Seeds {
    void trust(Collection<NodeId> members);
  }

  /** The Raft server a join starts in the group it learns, and stops again when the join fails. */
  interface GroupServer {

    /** The group the server runs in; empty while it is not started. */
    Optional<String> groupId();

    /** Where the server keeps its state, for messages. */
    String storage();

    /** Starts the server in the group with an empty configuration. */
    void start(String groupId);

    /** Stops a started server and deletes what it stored. */
    void abandon();
  }

  /**
   * Joins through {@code members}.
   *
   * @throws IllegalStateException with every member's last failure when the join did not complete
   */
  GroupMembers join(List<NodeAddress> members, String raftAddress, GroupServer server) {
    JoinApplication unsigned =
        new JoinApplication(
            identity.nodeId(),
            identity.certificate().getPublicKey().getEncoded(),
            raftAddress,
            endpoints.hostAndPort(NodeEndpoints.Kind.GRPC),
            endpoints.hostAndPort(NodeEndpoints.Kind.QUIC),
            endpoints.hostAndPort(NodeEndpoints.Kind.HTTP));
    Map<String, String> failures = new LinkedHashMap<>();
    long deadline = System.nanoTime() + settings.timeout().toNanos();
    Retry retry = retry(deadline);
    retry
        .getEventPublisher()
        .onRetry(
            event ->
                log.warn(
                    "Join not complete, trying again in {}: {}",
                    event.getWaitInterval(),
                    failures));
    try {
      // Signed for each round: the leader refuses a command issued more than a minute ago.
      return retry.executeSupplier(() -> round(members, signed(unsigned), server, failures));
    } catch (RoundFailed e) {
      server.abandon();
      if (Thread.currentThread().isInterrupted()) {
        throw new IllegalStateException("interrupted while joining the cluster", e);
      }
      throw new IllegalStateException(
          "cannot join the cluster within "
              + settings.timeout()
              + " (blixard.cluster.join-retry.timeout); last failure per member: "
              + failures);
    } catch (RuntimeException e) {
      server.abandon();
      throw e;
    }
  }

  /**
   * Retries failed rounds with an exponential backoff with jitter, each wait no longer than the
   * maximum backoff nor than the time left, and no round once the time is up.
   */
  private Retry retry(long deadline) {
    IntervalFunction backoff =
        IntervalFunction.ofExponentialRandomBackoff(
            settings.initialBackoff(), 2.0, JITTER, settings.maxBackoff());
    long max = settings.maxBackoff().toMillis();
    IntervalFunction bounded =
        attempt -> {
          long left = Duration.ofNanos(deadline - System.nanoTime()).toMillis();
          return Math.max(1, Math.min(Math.min(backoff.apply(attempt), max), left));
        };
    return Retry.of(
        "blixard-join",
        RetryConfig.custom()
            .maxAttempts(Integer.MAX_VALUE)
            .intervalFunction(bounded)
            .retryOnException(e -> e instanceof RoundFailed && System.nanoTime() < deadline)
            .build());
  }

  /** The application with this node's own join command: its record and its token, signed. */
  private JoinApplication signed(JoinApplication application) {
    Instant now = Instant.now();
    RegisteredNode record =
        new RegisteredNode(
            application.nodeId(),
            application.raftAddress(),
            application.grpcAddress(),
            application.quicAddress(),
            application.httpAddress(),
            now,
            now,
            commandVersion);
    return application.withSignedJoin(
        RegistryCommands.sign(CommandSigner.of(identity), RegistryCommands.join(record, credential))
            .toByteArray());
  }

  /** One attempt at every member in turn; the first that admits this node ends the join. */
  private GroupMembers round(
      List<NodeAddress> members,
      JoinApplication application,
      GroupServer server,
      Map<String, String> failures) {
    for (NodeAddress member : members) {
      try {
        return joinThrough(member, application, server);
      } catch (JoinException e) {
        failures.put(member.toString(), e.reason() + ": " + e.getMessage());
        if (!e.reason().retryable()) {
          throw new IllegalStateException(
              "cannot join the cluster through " + member + ": " + e.getMessage(), e);
        }
      }
    }
    throw new RoundFailed();
  }

  private GroupMembers joinThrough(
      NodeAddress member, JoinApplication application, GroupServer server) {
    NodeId self = application.nodeId();
    // A host:port member must prove it is the token's issuer: the token proves the cluster.
    Optional<NodeId> issuer = credential.flatMap(JoinCredential::issuer);
    GroupMembers group = membership.members(member, joinToken, settings.callTimeout(), issuer);
    if (server.groupId().isEmpty()) {
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
                        + server.storage()
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
    if (server.groupId().filter(g -> !g.equals(group.groupId())).isPresent()) {
      server.abandon();
    }
    seeds.trust(memberIds(group));
    if (server.groupId().isEmpty()) {
      server.start(group.groupId());
    }
    GroupMembers joined = membership.join(member, application, settings.callTimeout(), issuer);
    log.info(
        "Joined group {} through {}: leader {}, {} members",
        joined.groupId(),
        member,
        joined.leaderId().map(NodeId::shortForm).orElse("unknown"),
        joined.members().size());
    seeds.trust(memberIds(joined));
    return joined;
  }

  private static List<NodeId> memberIds(GroupMembers group) {
    return Stream.concat(
            Stream.of(group.reportedBy()),
            group.members().stream().map(GroupMembers.Member::nodeId))
        .distinct()
        .toList();
  }

  /** Every member failed in this round for a reason that retrying may fix. */
  private static final class RoundFailed extends RuntimeException {
    RoundFailed() {
      super("no member admitted this node in this round", null, false, false);
    }
  }
}
