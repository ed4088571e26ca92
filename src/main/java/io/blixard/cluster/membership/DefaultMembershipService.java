package io.blixard.cluster.membership;

import io.blixard.cluster.AccessDeniedException;
import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.ClusterUnavailableException;
import io.blixard.cluster.ClusterView;
import io.blixard.cluster.GroupAdmin;
import io.blixard.cluster.GroupMembers;
import io.blixard.cluster.JoinApplication;
import io.blixard.cluster.LeaveResult;
import io.blixard.cluster.MemberConflictException;
import io.blixard.cluster.MembershipService;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.RegisteredNode;
import io.blixard.cluster.registry.CommandRefusal;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.cluster.registry.RegistryCommands;
import io.blixard.cluster.registry.RegistryWriter;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.cluster.v1.SignedCommand;
import io.blixard.security.ClusterRoles;
import io.blixard.security.JoinCredential;
import io.github.resilience4j.retry.Retry;
import io.github.resilience4j.retry.RetryConfig;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Service;

/**
 * Joins and leaves through this node's Raft client: any member takes the request, and Ratis sends
 * the configuration change to the leader (following it when it moves), so a joining node need not
 * know which member leads.
 */
@Service
public class DefaultMembershipService implements MembershipService {

  private static final Logger log = LoggerFactory.getLogger(DefaultMembershipService.class);

  /** Tries of a registry removal right after a leadership transfer. */
  static final int UNREGISTER_ATTEMPTS = 3;

  /** How often this node looks for the new leader after handing leadership over. */
  static final Duration LEADER_POLL = Duration.ofMillis(50);

  private final ClusterView view;
  private final GroupAdmin admin;
  private final RegistryWriter registry;
  private final SelfRegistration selfRegistration;
  private final ClusterProperties properties;
  private final NodeRegistry state;
  private final ClusterRoles roles;

  public DefaultMembershipService(
      ClusterView view,
      GroupAdmin admin,
      RegistryWriter registry,
      SelfRegistration selfRegistration,
      ClusterProperties properties,
      NodeRegistry state,
      ClusterRoles roles) {
    this.view = view;
    this.admin = admin;
    this.registry = registry;
    this.selfRegistration = selfRegistration;
    this.properties = properties;
    this.state = state;
    this.roles = roles;
  }

  @Override
  public GroupMembers members(Optional<NodeId> caller, String joinToken) {
    if (caller.isEmpty() || !state.enforcing()) {
      return members();
    }
    NodeId c = caller.get();
    if (roles.isMember(c) || roles.isOperator(c) || roles.isAdmitted(c)) {
      return members();
    }
    if (!state.bootstrapped()) {
      // The first node writes its tokens and operators just after it elects itself: a joiner
      // that is that quick must try again, not be told its token is unknown.
      throw new ClusterUnavailableException(
          "the cluster is not bootstrapped yet (its tokens and operators are not committed); try"
              + " again");
    }
    if (joinToken == null || joinToken.isBlank()) {
      CommandRefusal refusal = NodeRegistry.notAdmittedRefusal(c.value());
      throw new AccessDeniedException(refusal.reason(), refusal.message());
    }
    JoinCredential token;
    try {
      token = JoinCredential.parse("join_token", joinToken);
    } catch (IllegalArgumentException e) {
      throw new AccessDeniedException("token_unknown", e.getMessage());
    }
    Optional<CommandRefusal> refusal = state.checkToken(c, token, Instant.now());
    if (refusal.isPresent()) {
      throw new AccessDeniedException(refusal.get().reason(), refusal.get().message());
    }
    return members();
  }

  @Override
  public GroupMembers members() {
    RaftState state = view.requireState();
    List<GroupMembers.Member> members =
        state.members().stream()
            .map(m -> new GroupMembers.Member(m.nodeId(), m.raftAddress(), m.voter()))
            .toList();
    return new GroupMembers(
        state.groupId(), state.leaderId(), state.term(), members, state.nodeId());
  }

  @Override
  public synchronized GroupMembers join(JoinApplication application) {
    NodeId keyId = NodeId.ofSubjectPublicKeyInfo(application.publicKey());
    if (!keyId.equals(application.nodeId())) {
      throw new IllegalArgumentException(
          "node id "
              + application.nodeId()
              + " is not the hash of the public key sent with it (expected: "
              + keyId
              + ")");
    }
    if (application.raftAddress().isBlank()) {
      throw new IllegalArgumentException(
          "join of " + application.nodeId() + ": empty Raft address (expected: host:port)");
    }
    application
        .caller()
        .filter(c -> !c.equals(application.nodeId()))
        .ifPresent(
            c -> {
              throw new AccessDeniedException(
                  "forbidden",
                  "the caller "
                      + c
                      + " is not the joining node "
                      + application.nodeId()
                      + " (expected: a node joins with its own identity)");
            });
    RaftState raft = view.requireState();
    requireLeader(raft);
    Optional<RaftState.Member> existing =
        raft.members().stream().filter(m -> m.nodeId().equals(application.nodeId())).findFirst();
    if (existing.isPresent() && !existing.get().raftAddress().equals(application.raftAddress())) {
      throw new MemberConflictException(
          "node "
              + application.nodeId()
              + " is already a member with Raft address "
              + existing.get().raftAddress()
              + " (this join names "
              + application.raftAddress()
              + "); remove it first with: blixard cluster leave --id "
              + application.nodeId());
    }
    // Admission first: the state machine decides, and only an admitted node becomes a voter.
    await(registry.forward(joinCommand(application)), "admit " + application.nodeId().shortForm());
    if (existing.isEmpty()) {
      log.info(
          "Adding node {} ({}) to the group as a voter",
          application.nodeId().shortForm(),
          application.raftAddress());
      admin.addVoter(application.nodeId(), application.raftAddress());
    }
    return members();
  }

  /** The joining node's own signed join command, checked against the application it came with. */
  private SignedCommand joinCommand(JoinApplication application) {
    if (application.signedJoin().length == 0) {
      if (state.enforcing()) {
        CommandRefusal refusal = NodeRegistry.notAdmittedRefusal(application.nodeId().value());
        throw new AccessDeniedException(refusal.reason(), refusal.message());
      }
      // Insecure mode checks no signature: this member writes the join on the node's behalf.
      Instant now = Instant.now();
      return registry.sign(
          RegistryCommands.join(
              new RegisteredNode(
                  application.nodeId(),
                  application.raftAddress(),
                  application.grpcAddress(),
                  application.quicAddress(),
                  application.httpAddress(),
                  now,
                  now),
              Optional.empty()));
    }
    SignedCommand signed = RegistryCommands.parseSigned(application.signedJoin(), "signed_join");
    RegistryCommand command = RegistryCommands.command(signed);
    if (!command.hasJoin()
        || !command.getJoin().getNode().getNodeId().equals(application.nodeId().value())
        || !command.getJoin().getNode().getRaftAddress().equals(application.raftAddress())) {
      throw new IllegalArgumentException(
          "signed_join of "
              + application.nodeId()
              + " is not a join of that node at Raft address "
              + application.raftAddress()
              + " (expected: the joining node's own join command for this request)");
    }
    return signed;
  }

  @Override
  public synchronized LeaveResult leave(
      Optional<NodeId> nodeId, Optional<NodeId> caller, byte[] signedRemove) {
    RaftState state = view.requireState();
    NodeId leaving = nodeId.orElse(state.nodeId());
    requireLeader(state);
    boolean inRegistry = view.registry().stream().anyMatch(n -> n.nodeId().equals(leaving));
    boolean inGroup = state.members().stream().anyMatch(m -> m.nodeId().equals(leaving));
    if (!inRegistry && !inGroup) {
      log.info("Node {} left the group (it was not a member)", leaving.shortForm());
      return new LeaveResult(leaving, false, state.leaderId());
    }
    SignedCommand remove = removeCommand(state.nodeId(), leaving, signedRemove);
    if (inGroup && state.leaderId().filter(leaving::equals).isPresent()) {
      NodeId successor =
          state.members().stream()
              .filter(m -> m.voter() && !m.nodeId().equals(leaving))
              .min(Comparator.comparing(m -> lagOf(state, m.nodeId())))
              .map(RaftState.Member::nodeId)
              .orElseThrow(
                  () ->
                      new IllegalStateException(
                          "node "
                              + leaving
                              + " is the only voter of the group; a group needs at least one"
                              + " voter (expected: a node that is not the last one)"));
      log.info(
          "Leader {} is leaving: handing leadership to {}",
          leaving.shortForm(),
          successor.shortForm());
      admin.transferLeadership(successor);
      awaitOtherLeader(leaving);
    }
    boolean removed;
    if (leaving.equals(state.nodeId())) {
      // This node leaves: the registry first, because once out of the configuration its own Raft
      // client can no longer write to the group; and it must not register itself again meanwhile.
      selfRegistration.markLeaving();
      unregister(remove, leaving, inRegistry);
      removed = inGroup && admin.removeMember(leaving);
    } else {
      // Another node leaves: out of the configuration first, so that it stops registering itself.
      removed = inGroup && admin.removeMember(leaving);
      unregister(remove, leaving, inRegistry);
    }
    log.info(
        "Node {} left the group{}",
        leaving.shortForm(),
        removed || inRegistry ? "" : " (it was not a member)");
    return new LeaveResult(
        leaving, removed || inRegistry, view.state().flatMap(RaftState::leaderId));
  }

  /**
   * The remove command of {@code leaving}: signed by this node when it leaves itself, else the one
   * that came with the request, which must pass the registry's rules before anything changes.
   */
  private SignedCommand removeCommand(NodeId self, NodeId leaving, byte[] signedRemove) {
    if (leaving.equals(self)) {
      return registry.sign(RegistryCommands.remove(leaving));
    }
    if (signedRemove == null || signedRemove.length == 0) {
      if (!state.enforcing()) {
        return registry.sign(RegistryCommands.remove(leaving));
      }
      throw new AccessDeniedException(
          "forbidden",
          "the removal of node "
              + leaving
              + " is not signed (expected: its remove command signed by an operator or by that"
              + " node, as blixard cluster leave --id "
              + leaving
              + " sends it)");
    }
    SignedCommand signed = RegistryCommands.parseSigned(signedRemove, "signed_remove");
    RegistryCommand command = RegistryCommands.command(signed);
    if (!command.hasRemove() || !command.getRemove().equals(leaving.value())) {
      throw new IllegalArgumentException(
          "signed_remove is not a removal of node "
              + leaving
              + " (expected: the remove command of the node this request names)");
    }
    Optional<CommandRefusal> refusal =
        state.check(signed, Instant.now(), view.requireState().memberIds());
    if (refusal.isPresent()) {
      throw new AccessDeniedException(refusal.get().reason(), refusal.get().message());
    }
    return signed;
  }

  private void unregister(SignedCommand remove, NodeId nodeId, boolean inRegistry) {
    if (!inRegistry) {
      return;
    }
    // Right after a leadership transfer the write may time out while Ratis's client finds the new
    // leader; removing a record is idempotent, so try again.
    Retry retry =
        Retry.of(
            "blixard-unregister",
            RetryConfig.custom()
                .maxAttempts(UNREGISTER_ATTEMPTS)
                .waitDuration(LEADER_POLL)
                .retryExceptions(ClusterUnavailableException.class)
                .build());
    retry
        .getEventPublisher()
        .onRetry(
            e ->
                log.debug(
                    "Registry removal of {} failed, trying again",
                    nodeId.shortForm(),
                    e.getLastThrowable()));
    retry.executeRunnable(
        () ->
            await(registry.forward(remove), "remove " + nodeId.shortForm() + " from the registry"));
  }

  /** Waits until this node sees a leader other than {@code old}, after a transfer. */
  private void awaitOtherLeader(NodeId old) {
    Duration timeout = properties.raft().electionTimeoutMax().multipliedBy(4);
    Retry poll =
        Retry.of(
            "blixard-await-leader",
            RetryConfig.<Boolean>custom()
                .maxAttempts((int) Math.max(2, timeout.toMillis() / LEADER_POLL.toMillis()))
                .waitDuration(LEADER_POLL)
                .retryOnResult(found -> !found)
                .build());
    boolean found =
        poll.executeSupplier(
            () ->
                view.state()
                    .flatMap(RaftState::leaderId)
                    .filter(leader -> !leader.equals(old))
                    .isPresent());
    if (Thread.currentThread().isInterrupted()) {
      throw new ClusterUnavailableException("interrupted while waiting for the new leader");
    }
    if (!found) {
      throw new ClusterUnavailableException(
          "leadership was handed over but this node sees no new leader yet; try again");
    }
  }

  private static long lagOf(RaftState state, NodeId nodeId) {
    return state.followers().stream()
        .filter(f -> f.nodeId().equals(nodeId))
        .mapToLong(RaftState.FollowerProgress::lag)
        .findFirst()
        .orElse(Long.MAX_VALUE);
  }

  private static void requireLeader(RaftState state) {
    if (state.leaderId().isEmpty()) {
      throw new ClusterUnavailableException(
          "node "
              + state.nodeId().shortForm()
              + " knows no Raft leader in term "
              + state.term()
              + " (it is "
              + state.role()
              + "; the group may have lost its quorum)");
    }
  }

  private void await(CompletableFuture<Void> write, String what) {
    RegistryWrites.await(write, properties.raft().requestTimeout().multipliedBy(2), what);
  }
}
