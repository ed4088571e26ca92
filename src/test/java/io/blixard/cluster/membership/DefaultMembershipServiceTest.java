package io.blixard.cluster.membership;

import static io.blixard.cluster.FakeClusterView.justNow;
import static io.blixard.cluster.FakeClusterView.node;
import static io.blixard.cluster.FakeClusterView.voter;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.cluster.AccessDeniedException;
import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.ClusterUnavailableException;
import io.blixard.cluster.FakeClusterView;
import io.blixard.cluster.GroupAdmin;
import io.blixard.cluster.JoinApplication;
import io.blixard.cluster.LeaveResult;
import io.blixard.cluster.MemberConflictException;
import io.blixard.cluster.RaftRole;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.registry.CommandLog;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.cluster.registry.RegistryClusterRoles;
import io.blixard.cluster.registry.RegistryCommands;
import io.blixard.cluster.registry.RegistryWriter;
import io.blixard.node.DataDirectory;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.node.NodeProperties;
import io.blixard.proto.cluster.v1.Bootstrap;
import io.blixard.proto.cluster.v1.NodeRecord;
import io.blixard.proto.cluster.v1.Operator;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.security.CommandSigner;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/**
 * Join and leave rules over a fake view, a recording group admin and a recording command log: what
 * is checked, what is changed, and in which order. No Raft.
 */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class DefaultMembershipServiceTest {

  private static final byte[] NEW_KEY = {42};
  private static final NodeId NEW = node(42);
  private static final NodeId B = node(2);
  private static final NodeId C = node(3);

  @TempDir Path dir;

  /** Configuration changes and registry commands, in the order they were made. */
  private final List<String> events = new CopyOnWriteArrayList<>();

  private NodeId self;
  private NodeIdentity identity;
  private RegistryWriter writer;
  private GroupAdmin admin;
  private FakeClusterView view;
  private SelfRegistration selfRegistration;
  private DefaultMembershipService membership;

  @BeforeEach
  void create() {
    NodeIdentity identity = NodeIdentity.loadOrCreate(DataDirectory.open(dir));
    self = identity.nodeId();
    view = new FakeClusterView(self);
    CommandLog log =
        signed -> {
          RegistryCommand command = RegistryCommands.command(signed);
          events.add(
              switch (command.getCommandCase()) {
                case UPSERT -> "register " + command.getUpsert().getNodeId();
                case JOIN -> "join " + command.getJoin().getNode().getNodeId();
                case REMOVE -> "unregister " + command.getRemove();
                default -> command.getCommandCase().toString();
              });
          return CompletableFuture.completedFuture(null);
        };
    this.identity = identity;
    writer = new RegistryWriter(log, identity);
    admin =
        new GroupAdmin() {
          @Override
          public void addVoter(NodeId nodeId, String raftAddress) {
            events.add("add " + nodeId.value() + " " + raftAddress);
          }

          @Override
          public boolean removeMember(NodeId nodeId) {
            events.add("remove " + nodeId.value());
            return true;
          }

          @Override
          public void transferLeadership(NodeId to) {
            events.add("transfer " + to.value());
            view.raft(
                RaftRole.FOLLOWER,
                3,
                Optional.of(to),
                voter(self, RaftRole.FOLLOWER, justNow()),
                voter(B, RaftRole.UNKNOWN, justNow()),
                voter(C, RaftRole.UNKNOWN, justNow()));
          }
        };
    NodeEndpoints endpoints =
        new NodeEndpoints(new NodeProperties(dir, "127.0.0.1", DataSize.ofMegabytes(1)));
    selfRegistration = new SelfRegistration(view, writer, identity, endpoints);
    // Insecure: these tests are about order; the checks have tests of their own below.
    membership = service(new NodeRegistry(false));
  }

  private DefaultMembershipService service(NodeRegistry state) {
    return new DefaultMembershipService(
        view,
        admin,
        writer,
        selfRegistration,
        new ClusterProperties(
            new ClusterProperties.Raft(null, null, null, null, null, null),
            Duration.ofMinutes(1),
            List.of(),
            null,
            null),
        state,
        new RegistryClusterRoles(state, view));
  }

  @AfterEach
  void destroy() {
    selfRegistration.destroy();
  }

  private void leaderOf(RaftState.Member... others) {
    RaftState.Member[] members = new RaftState.Member[others.length + 1];
    members[0] = voter(self, RaftRole.LEADER, justNow());
    System.arraycopy(others, 0, members, 1, others.length);
    view.raft(RaftRole.LEADER, 2, Optional.of(self), members);
  }

  private static JoinApplication application(NodeId id, byte[] key, String raftAddress) {
    return new JoinApplication(id, key, raftAddress, "10.0.0.42:7001", "", "");
  }

  @Test
  void aNewNodeIsAdmittedThenBecomesAVoter() {
    leaderOf();

    membership.join(application(NEW, NEW_KEY, "10.0.0.42:7000"));

    assertThat(events)
        .containsExactly("join " + NEW.value(), "add " + NEW.value() + " 10.0.0.42:7000");
  }

  @Test
  void aRepeatedJoinLeavesTheConfigurationAlone() {
    leaderOf(new RaftState.Member(NEW, "10.0.0.42:7000", true, RaftRole.FOLLOWER, justNow()));

    membership.join(application(NEW, NEW_KEY, "10.0.0.42:7000"));

    assertThat(events).containsExactly("join " + NEW.value());
  }

  @Test
  void aMemberJoiningWithAnotherRaftAddressIsAConflict() {
    leaderOf(new RaftState.Member(NEW, "10.0.0.42:7000", true, RaftRole.FOLLOWER, justNow()));

    assertThatThrownBy(() -> membership.join(application(NEW, NEW_KEY, "10.0.0.99:7000")))
        .isInstanceOf(MemberConflictException.class)
        .hasMessageContaining("already a member with Raft address 10.0.0.42:7000")
        .hasMessageContaining("blixard cluster leave --id " + NEW.value());
    assertThat(events).isEmpty();
  }

  @Test
  void aNodeIdThatIsNotTheKeysHashIsRefused() {
    leaderOf();

    assertThatThrownBy(() -> membership.join(application(NEW, new byte[] {7}, "10.0.0.42:7000")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("is not the hash of the public key sent with it");
    assertThat(events).isEmpty();
  }

  @Test
  void noLeaderMeansNoJoin() {
    view.raft(RaftRole.CANDIDATE, 5, Optional.empty(), voter(self, RaftRole.CANDIDATE, justNow()));

    assertThatThrownBy(() -> membership.join(application(NEW, NEW_KEY, "10.0.0.42:7000")))
        .isInstanceOf(ClusterUnavailableException.class)
        .hasMessageContaining("knows no Raft leader in term 5");
  }

  @Test
  void aLeavingLeaderHandsOverToTheLeastLaggingVoterThenLeavesTheRegistryBeforeTheGroup()
      throws Exception {
    view.registered(self).lagging(B, 30).lagging(C, 2);
    leaderOf(voter(B, RaftRole.FOLLOWER, justNow()), voter(C, RaftRole.FOLLOWER, justNow()));

    LeaveResult result = membership.leave(Optional.empty());

    assertThat(events)
        .containsExactly(
            "transfer " + C.value(), "unregister " + self.value(), "remove " + self.value());
    assertThat(result.wasMember()).isTrue();
    assertThat(result.leaderId()).contains(C);
    // It must not register itself again.
    view.raft(RaftRole.FOLLOWER, 3, Optional.of(C), voter(self, RaftRole.FOLLOWER, justNow()));
    selfRegistration.register().toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertThat(events).doesNotContain("register " + self.value());
  }

  @Test
  void anotherNodeLeavesTheGroupBeforeTheRegistry() {
    view.registered(B);
    leaderOf(voter(B, RaftRole.FOLLOWER, justNow()));

    membership.leave(Optional.of(B));

    assertThat(events).containsExactly("remove " + B.value(), "unregister " + B.value());
  }

  @Test
  void theOnlyVoterCannotLeave() {
    leaderOf();

    assertThatThrownBy(() -> membership.leave(Optional.empty()))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("is the only voter of the group");
    assertThat(events).isEmpty();
  }

  @Test
  void aNodeInNeitherGroupNorRegistryWasNoMember() {
    leaderOf();

    LeaveResult result = membership.leave(Optional.of(NEW));

    assertThat(result.wasMember()).isFalse();
    assertThat(events).isEmpty();
  }

  /** A registry that checks, bootstrapped by this node with {@code operator} as its operator. */
  private NodeRegistry enforcing(NodeIdentity operator) {
    NodeRegistry state = new NodeRegistry(true);
    var bootstrap =
        RegistryCommands.sign(
            CommandSigner.of(identity),
            RegistryCommand.newBuilder()
                .setBootstrap(
                    Bootstrap.newBuilder()
                        .addOperators(Operator.newBuilder().setNodeId(operator.nodeId().value()))
                        .setNode(NodeRecord.newBuilder().setNodeId(self.value()))));
    assertThat(state.apply(bootstrap, 1)).isEmpty();
    return state;
  }

  @Test
  void aJoinWithoutItsSignedCommandIsNotAdmittedAndChangesNothing() {
    leaderOf();
    DefaultMembershipService secured = service(enforcing(identity));

    assertThatThrownBy(() -> secured.join(application(NEW, NEW_KEY, "10.0.0.42:7000")))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("node " + NEW + " is not admitted to this cluster")
        .hasMessageContaining("blixard.cluster.join-token")
        .hasMessageContaining("blixard cluster admit " + NEW);
    assertThat(events).isEmpty();
  }

  @Test
  void aJoinCalledByAnotherNodeIsRefused() {
    leaderOf();

    assertThatThrownBy(
            () ->
                membership.join(
                    application(NEW, NEW_KEY, "10.0.0.42:7000").calledBy(Optional.of(B))))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("the caller " + B + " is not the joining node " + NEW);
    assertThat(events).isEmpty();
  }

  @Test
  void anUnsignedLeaveOfAnotherNodeIsRefusedBeforeTheGroupChanges() {
    view.registered(B);
    leaderOf(voter(B, RaftRole.FOLLOWER, justNow()));
    DefaultMembershipService secured = service(enforcing(identity));

    assertThatThrownBy(() -> secured.leave(Optional.of(B)))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining("the removal of node " + B + " is not signed");
    assertThat(events).isEmpty();
  }

  @Test
  void aLeaveOfAnotherNodeSignedByANonOperatorIsRefusedBeforeTheGroupChanges() {
    NodeIdentity stranger = NodeIdentity.loadOrCreate(dir.resolve("stranger"), "s.key", "s.crt");
    NodeIdentity operator = NodeIdentity.loadOrCreate(dir.resolve("operator"), "o.key", "o.crt");
    view.registered(B);
    leaderOf(voter(B, RaftRole.FOLLOWER, justNow()));
    DefaultMembershipService secured = service(enforcing(operator));
    byte[] byStranger =
        RegistryCommands.sign(CommandSigner.of(stranger), RegistryCommands.remove(B)).toByteArray();

    assertThatThrownBy(() -> secured.leave(Optional.of(B), Optional.empty(), byStranger))
        .isInstanceOf(AccessDeniedException.class)
        .hasMessageContaining(stranger.nodeId() + " may not remove node " + B);
    assertThat(events).isEmpty();

    byte[] byOperator =
        RegistryCommands.sign(CommandSigner.of(operator), RegistryCommands.remove(B)).toByteArray();
    secured.leave(Optional.of(B), Optional.empty(), byOperator);
    assertThat(events).containsExactly("remove " + B.value(), "unregister " + B.value());
  }
}
