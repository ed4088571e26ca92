package io.blixard.cluster.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.GroupMembers;
import io.blixard.cluster.JoinApplication;
import io.blixard.cluster.JoinException;
import io.blixard.cluster.MembershipClient;
import io.blixard.node.DataDirectory;
import io.blixard.node.NodeAddress;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.node.NodeProperties;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/** The join loop against scripted members and a recording server: no Raft, no network. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class GroupJoinerTest {

  private static final String GROUP = "3f1d3a3c-0000-4000-8000-000000000001";
  private static final NodeId LEADER = NodeId.ofSubjectPublicKeyInfo(new byte[] {9});
  private static final NodeAddress FIRST = NodeAddress.parse("127.0.0.1:17001");
  private static final NodeAddress SECOND = NodeAddress.parse("127.0.0.2:17001");

  private static NodeIdentity identity;
  private static NodeEndpoints endpoints;

  @BeforeAll
  static void createIdentity(@TempDir Path dir) {
    identity = NodeIdentity.loadOrCreate(DataDirectory.open(dir));
    endpoints = new NodeEndpoints(new NodeProperties(dir, "127.0.0.1", DataSize.ofMegabytes(1)));
  }

  private static GroupMembers group(Optional<NodeId> leader, NodeId... members) {
    List<GroupMembers.Member> list = new ArrayList<>();
    for (NodeId id : members) {
      list.add(new GroupMembers.Member(id, "127.0.0.9:7000", true));
    }
    return new GroupMembers(GROUP, leader, 3, list, LEADER);
  }

  /** Answers GetMembers per member from a function of the call count, and admits every join. */
  private static final class ScriptedMembers implements MembershipClient {

    private final Map<NodeAddress, Function<Integer, GroupMembers>> answers;
    private final Map<NodeAddress, AtomicInteger> calls = new ConcurrentHashMap<>();

    ScriptedMembers(Map<NodeAddress, Function<Integer, GroupMembers>> answers) {
      this.answers = answers;
    }

    final List<Optional<NodeId>> pins = new java.util.concurrent.CopyOnWriteArrayList<>();

    @Override
    public GroupMembers members(
        NodeAddress address, String joinToken, Duration timeout, Optional<NodeId> expected) {
      pins.add(expected);
      int n = calls.computeIfAbsent(address, a -> new AtomicInteger()).incrementAndGet();
      return answers.get(address).apply(n);
    }

    @Override
    public GroupMembers join(
        NodeAddress address,
        JoinApplication application,
        Duration timeout,
        Optional<NodeId> expected) {
      pins.add(expected);
      return group(Optional.of(LEADER), LEADER, application.nodeId());
    }

    int calls(NodeAddress address) {
      return calls.getOrDefault(address, new AtomicInteger()).get();
    }
  }

  /** Records what the join did with the server. */
  private static final class RecordingServer implements GroupJoiner.GroupServer {

    final List<String> events = new ArrayList<>();
    private Optional<String> group = Optional.empty();

    @Override
    public Optional<String> groupId() {
      return group;
    }

    @Override
    public String storage() {
      return "/data/raft";
    }

    @Override
    public void start(String groupId) {
      events.add("start " + groupId);
      group = Optional.of(groupId);
    }

    @Override
    public void abandon() {
      events.add("abandon");
      group = Optional.empty();
    }
  }

  private static GroupJoiner joiner(ScriptedMembers members, Duration timeout) {
    return joiner(members, timeout, "", ids -> {});
  }

  private static GroupJoiner joiner(
      ScriptedMembers members, Duration timeout, String joinToken, GroupJoiner.Seeds seeds) {
    return new GroupJoiner(
        identity,
        endpoints,
        new ClusterProperties.JoinRetry(
            Duration.ofMillis(10), Duration.ofMillis(40), timeout, Duration.ofSeconds(1)),
        members,
        joinToken,
        seeds);
  }

  private static GroupMembers unreachable(int call) {
    throw new JoinException(JoinException.Reason.UNREACHABLE, "connection refused");
  }

  @Test
  void trustsTheMembersItLearnedBeforeItsServerStarts() {
    NodeId other = NodeId.ofSubjectPublicKeyInfo(new byte[] {7});
    ScriptedMembers members =
        new ScriptedMembers(Map.of(FIRST, call -> group(Optional.of(LEADER), LEADER, other)));
    RecordingServer server = new RecordingServer();
    GroupJoiner joiner =
        joiner(
            members,
            Duration.ofSeconds(5),
            "",
            ids -> server.events.add("trust " + ids.stream().map(NodeId::shortForm).toList()));

    joiner.join(List.of(FIRST), "127.0.0.1:7000", server);

    // The leader replicates to the new server at once: its port must already trust the members.
    assertThat(server.events)
        .containsExactly(
            "trust " + List.of(LEADER.shortForm(), other.shortForm()),
            "start " + GROUP,
            "trust " + List.of(LEADER.shortForm(), identity.nodeId().shortForm()));
  }

  @Test
  void retriesRoundsUntilAMemberAdmitsThisNode() {
    ScriptedMembers members =
        new ScriptedMembers(
            Map.of(
                FIRST,
                GroupJoinerTest::unreachable,
                SECOND,
                call -> call < 3 ? unreachable(call) : group(Optional.of(LEADER), LEADER)));
    RecordingServer server = new RecordingServer();

    GroupMembers joined =
        joiner(members, Duration.ofSeconds(20))
            .join(List.of(FIRST, SECOND), "127.0.0.1:7000", server);

    assertThat(joined.member(identity.nodeId())).isPresent();
    assertThat(server.events).containsExactly("start " + GROUP);
    assertThat(members.calls(SECOND)).isEqualTo(3);
    assertThat(members.calls(FIRST)).isEqualTo(3);
  }

  @Test
  void aConflictEndsTheJoinAtOnceAndLeavesNoServer() {
    ScriptedMembers members =
        new ScriptedMembers(
            Map.of(FIRST, call -> group(Optional.of(LEADER), LEADER, identity.nodeId())));
    RecordingServer server = new RecordingServer();

    assertThatThrownBy(
            () ->
                joiner(members, Duration.ofSeconds(20))
                    .join(List.of(FIRST), "127.0.0.1:7000", server))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot join the cluster through " + FIRST)
        .hasMessageContaining("is already a voter of group " + GROUP)
        .hasMessageContaining("no Raft state in /data/raft");
    assertThat(members.calls(FIRST)).isEqualTo(1);
    assertThat(server.events).containsExactly("abandon");
  }

  @Test
  void givesUpAtTheTimeoutWithEveryMembersLastFailure() {
    ScriptedMembers members =
        new ScriptedMembers(
            Map.of(
                FIRST,
                call -> group(Optional.empty(), LEADER),
                SECOND,
                GroupJoinerTest::unreachable));
    RecordingServer server = new RecordingServer();

    assertThatThrownBy(
            () ->
                joiner(members, Duration.ofMillis(300))
                    .join(List.of(FIRST, SECOND), "127.0.0.1:7000", server))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("cannot join the cluster within PT0.3S")
        .hasMessageContaining("blixard.cluster.join-retry.timeout")
        .hasMessageContaining(FIRST + "=LEADER_UNKNOWN")
        .hasMessageContaining(SECOND + "=UNREACHABLE: connection refused");
    assertThat(members.calls(FIRST)).as("retried").isGreaterThan(1);
    assertThat(server.events).containsExactly("abandon");
  }

  @Test
  void aTokenNamingItsIssuerPinsTheIssuerOnEveryCall() {
    ScriptedMembers members =
        new ScriptedMembers(Map.of(FIRST, call -> group(Optional.of(LEADER), LEADER)));
    String token = "blx1." + LEADER.value() + ".abcdef123456.0123456789abcdef0123";
    GroupJoiner joiner = joiner(members, Duration.ofSeconds(5), token, ids -> {});

    joiner.join(List.of(FIRST), "127.0.0.1:7000", new RecordingServer());

    assertThat(members.pins).containsExactly(Optional.of(LEADER), Optional.of(LEADER));
  }

  @Test
  void aPreSharedTokenPinsNobody() {
    ScriptedMembers members =
        new ScriptedMembers(Map.of(FIRST, call -> group(Optional.of(LEADER), LEADER)));

    joiner(members, Duration.ofSeconds(5))
        .join(List.of(FIRST), "127.0.0.1:7000", new RecordingServer());

    assertThat(members.pins).containsOnly(Optional.empty());
  }
}
