package io.blixard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.blixard.cli.BlixardCliAccess;
import io.blixard.cluster.snapshot.SnapshotFile;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.cluster.v1.GetMembersRequest;
import io.blixard.proto.cluster.v1.GetMembersResponse;
import io.blixard.proto.cluster.v1.Member;
import io.blixard.proto.cluster.v1.MembershipServiceGrpc;
import io.blixard.proto.security.v1.ListAdmissionsRequest;
import io.blixard.proto.security.v1.SecurityServiceGrpc;
import io.blixard.support.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Backup and restore as an operator does it with the command line: a snapshot saved from a running
 * two-node cluster with registry entries, checked, refused when damaged or foreign, restored into a
 * fresh data directory; the node started there leads a new group alone with the saved entries, and
 * another node joins it (the leader installs its snapshot on the joiner: the restored group has no
 * log before it). A contract: a subclass per Raft transport runs it ({@link
 * SnapshotRestoreWithGrpcRaftIntegrationTest}, {@link SnapshotRestoreWithQuicRaftIntegrationTest}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
abstract class SnapshotRestoreIntegrationTest {

  /** The arguments that choose the Raft transport, for every node. */
  abstract String[] raftArgs();

  /** What the transport shows of the joiner's catching up on the restored group's snapshot. */
  void caughtUpBySnapshot(TestNode joiner) {}

  @TempDir static Path dirs;

  private final List<TestNode> nodes = new ArrayList<>();
  private TestNode first;
  private NodeId admitted;
  private String oldGroup;

  @BeforeAll
  void startCluster() {
    first = TestNode.start(dirs.resolve("a"), raftArgs());
    await().atMost(Duration.ofSeconds(20)).until(() -> first.raft().leaderId().isPresent());
    nodes.add(first);
    nodes.add(TestNode.join(dirs.resolve("b"), first, raftArgs()));
    admitted = NodeIdentity.loadOrCreate(dirs.resolve("someone"), "node.key", "node.crt").nodeId();
    ok("cluster", "admit", admitted.value(), "--comment", "rack 3", "--node", first.grpcAddress());
    oldGroup = members(first).getGroupId();
  }

  @AfterAll
  void stop() {
    nodes.stream().filter(TestNode::isRunning).forEach(TestNode::close);
  }

  private static String[] cli(String... args) {
    return BlixardCliAccess.run(args);
  }

  private static String ok(String... args) {
    String[] result = cli(args);
    assertThat(result[0]).as(String.join(" ", args) + ": " + result[2]).isEqualTo("0");
    return result[1];
  }

  static GetMembersResponse members(TestNode node) {
    return MembershipServiceGrpc.newBlockingStub(node.channel())
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .getMembers(GetMembersRequest.getDefaultInstance());
  }

  static List<String> admissions(TestNode node) {
    return SecurityServiceGrpc.newBlockingStub(node.channel())
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .listAdmissions(ListAdmissionsRequest.getDefaultInstance())
        .getAdmissionsList()
        .stream()
        .map(a -> a.getNodeId() + " " + a.getComment())
        .toList();
  }

  @Test
  @Order(1)
  void savesTheStateMachineAtAnAppliedIndexAndChecksTheFile() throws Exception {
    Path file = dirs.resolve("backup.snap");
    String saved = ok("snapshot", "save", file.toString(), "--node", first.grpcAddress());
    assertThat(saved)
        .startsWith("saved snapshot of group " + oldGroup + " at index ")
        .contains("nodes          2")
        .contains("admissions     1")
        .contains("sha256");
    assertThat(Files.exists(dirs.resolve("backup.snap.part"))).isFalse();

    String status = ok("snapshot", "status", file.toString());
    assertThat(status)
        .contains("group          " + oldGroup)
        .contains("taken by       " + first.id());
  }

  @Test
  @Order(2)
  void refusesADamagedOrForeignFileInOneLine() throws Exception {
    Path file = dirs.resolve("backup.snap");
    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x01;
    Path damaged = Files.write(dirs.resolve("damaged.snap"), bytes);
    Path foreign = Files.writeString(dirs.resolve("foreign.snap"), "{\"not\":\"a snapshot\"}");

    String[] result =
        cli("snapshot", "restore", damaged.toString(), "--data-dir", dirs.resolve("x").toString());
    assertThat(result[0]).isEqualTo("1");
    assertThat(result[2].strip())
        .isEqualTo(
            "blixard: "
                + damaged
                + " is damaged: its SHA-256 does not match its content (expected: the file as"
                + " blixard snapshot save wrote it, whole)");
    result = cli("snapshot", "status", foreign.toString());
    assertThat(result[0]).isEqualTo("1");
    assertThat(result[2].strip())
        .isEqualTo(
            "blixard: "
                + foreign
                + " is not a Blixard snapshot (expected: a file written by blixard snapshot save)");
    assertThat(dirs.resolve("x")).doesNotExist();
  }

  @Test
  @Order(3)
  void refusesToRestoreOverANodesState() {
    String[] result =
        cli(
            "snapshot",
            "restore",
            dirs.resolve("backup.snap").toString(),
            "--data-dir",
            first.dataDir().toString());
    assertThat(result[0]).isEqualTo("1");
    assertThat(result[2]).contains("is not empty").contains("never writes over a node's state");
  }

  @Test
  @Order(4)
  void aRestoredNodeLeadsANewGroupWithTheSavedStateAndOthersJoinIt() {
    // A snapshot of a later term than the new group's first: its first leader must still append
    // after the snapshot's entry.
    SnapshotFile saved = SnapshotFile.read(dirs.resolve("backup.snap"));
    SnapshotFile.of(
            new CommittedState(saved.groupId().toString(), saved.index(), 7, saved.registry()),
            NodeId.parse(saved.takenBy()),
            saved.commandVersion(),
            saved.takenAt())
        .write(dirs.resolve("term7.snap"));
    Path restoredDir = dirs.resolve("restored");
    String restored =
        ok(
            "snapshot",
            "restore",
            dirs.resolve("term7.snap").toString(),
            "--data-dir",
            restoredDir.toString());
    assertThat(restored)
        .startsWith("restored group " + oldGroup + " at index ")
        .contains("(new identity), only voter")
        .contains("Old members dropped: ");
    // The restored node needs none of the old members: stop them first, as after a disaster.
    nodes.forEach(TestNode::close);

    TestNode node = TestNode.start(restoredDir, raftArgs());
    nodes.add(node);
    await().atMost(Duration.ofSeconds(20)).until(() -> node.raft().leaderId().isPresent());
    // It applies new entries after the saved index: its own registration, in a term after 7.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> node.raft().appliedIndex() > saved.index() && node.raft().term() > 7);
    GetMembersResponse members = members(node);
    assertThat(members.getGroupId()).isNotEqualTo(oldGroup);
    assertThat(members.getMembersList())
        .extracting(Member::getNodeId)
        .containsExactly(node.id().value());
    assertThat(admissions(node)).containsExactly(admitted.value() + " rack 3");

    // The pre-shared join token of the old cluster is in the restored registry.
    TestNode joiner = TestNode.join(dirs.resolve("c"), node, raftArgs());
    nodes.add(joiner);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(members(node).getMembersList())
                    .extracting(Member::getNodeId)
                    .containsExactlyInAnyOrder(node.id().value(), joiner.id().value()));
    assertThat(admissions(joiner)).containsExactly(admitted.value() + " rack 3");
    caughtUpBySnapshot(joiner);
    assertThat(ok("cluster", "audit", "--node", node.grpcAddress()))
        .contains("restore")
        .contains("new group " + members.getGroupId());

    // A node takes itself out with its own identity, as the chart's preStop hook does.
    assertThat(
            ok(
                "cluster",
                "leave",
                "--as-node",
                joiner.dataDir().toString(),
                "--node",
                joiner.grpcAddress()))
        .startsWith("node " + joiner.id() + " left the group");
    assertThat(members(node).getMembersList())
        .extracting(Member::getNodeId)
        .containsExactly(node.id().value());
  }
}
