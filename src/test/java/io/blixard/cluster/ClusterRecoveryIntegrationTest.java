package io.blixard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.blixard.cli.BlixardCliAccess;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.cluster.v1.GetMembersResponse;
import io.blixard.proto.cluster.v1.Member;
import io.blixard.support.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.FileSystemUtils;

/**
 * A three-node cluster loses two nodes for good: the survivor, which cannot elect a leader alone,
 * still saves its state; stopped, {@code blixard cluster recover} turns its data directory into a
 * new one-node group from the state it applied (replayed from its Raft log, as after a crash before
 * any snapshot); started again it leads with the registry it had, and new nodes join it.
 */
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class ClusterRecoveryIntegrationTest {

  @TempDir Path dirs;

  private final List<TestNode> nodes = new ArrayList<>();

  private void stopAll() {
    nodes.stream().filter(TestNode::isRunning).forEach(TestNode::close);
  }

  private static String ok(String... args) {
    String[] result = BlixardCliAccess.run(args);
    assertThat(result[0]).as(String.join(" ", args) + ": " + result[2]).isEqualTo("0");
    return result[1];
  }

  @Test
  void aSurvivorOfALostQuorumBecomesANewGroupWithItsStateThatOthersJoin() throws Exception {
    try {
      TestNode survivor = TestNode.start(dirs.resolve("a"));
      nodes.add(survivor);
      await().atMost(Duration.ofSeconds(20)).until(() -> survivor.raft().leaderId().isPresent());
      TestNode lostB = TestNode.join(dirs.resolve("b"), survivor);
      TestNode lostC = TestNode.join(dirs.resolve("c"), survivor);
      nodes.addAll(List.of(lostB, lostC));
      NodeId admitted =
          NodeIdentity.loadOrCreate(dirs.resolve("someone"), "node.key", "node.crt").nodeId();
      ok(
          "cluster",
          "admit",
          admitted.value(),
          "--comment",
          "rack 7",
          "--node",
          survivor.grpcAddress());
      String oldGroup = SnapshotRestoreIntegrationTest.members(survivor).getGroupId();
      await()
          .atMost(Duration.ofSeconds(20))
          .until(() -> SnapshotRestoreIntegrationTest.admissions(lostC).size() == 1);

      lostB.close();
      lostC.close();
      FileSystemUtils.deleteRecursively(lostB.dataDir());
      FileSystemUtils.deleteRecursively(lostC.dataDir());
      await().atMost(Duration.ofSeconds(20)).until(() -> survivor.raft().leaderId().isEmpty());
      // Without a quorum the survivor still hands out the state it applied.
      assertThat(
              ok(
                  "snapshot",
                  "save",
                  dirs.resolve("survivor.snap").toString(),
                  "--node",
                  survivor.grpcAddress()))
          .contains("nodes          3");
      survivor.close();

      // As after a crash before the first snapshot: the state must come from the log.
      Path groupDir = survivor.dataDir().resolve("raft").resolve(oldGroup);
      try (Stream<Path> sm = Files.list(groupDir.resolve("sm"))) {
        sm.forEach(f -> f.toFile().delete());
      }

      String recovered = ok("cluster", "recover", "--data-dir", survivor.dataDir().toString());
      assertThat(recovered)
          .startsWith("recovered group " + oldGroup + " at index ")
          .contains("node           " + survivor.id() + ", only voter")
          .contains("nodes kept     3 -> 1")
          .contains("admissions     1")
          .contains("old group in   " + survivor.dataDir().resolve("replaced-group-" + oldGroup));
      assertThat(survivor.dataDir().resolve("replaced-group-" + oldGroup)).isDirectory();

      TestNode restarted = TestNode.start(survivor.dataDir());
      nodes.add(restarted);
      assertThat(restarted.id()).isEqualTo(survivor.id());
      await().atMost(Duration.ofSeconds(20)).until(() -> restarted.raft().leaderId().isPresent());
      GetMembersResponse members = SnapshotRestoreIntegrationTest.members(restarted);
      assertThat(members.getGroupId()).isNotEqualTo(oldGroup);
      assertThat(members.getMembersList())
          .extracting(Member::getNodeId)
          .containsExactly(survivor.id().value());
      assertThat(SnapshotRestoreIntegrationTest.admissions(restarted))
          .containsExactly(admitted.value() + " rack 7");

      // The lost nodes, wiped, come back as new members.
      TestNode rejoined = TestNode.join(dirs.resolve("b"), restarted);
      nodes.add(rejoined);
      await()
          .atMost(Duration.ofSeconds(20))
          .untilAsserted(
              () ->
                  assertThat(SnapshotRestoreIntegrationTest.members(restarted).getMembersList())
                      .extracting(Member::getNodeId)
                      .containsExactlyInAnyOrder(survivor.id().value(), rejoined.id().value()));
      assertThat(SnapshotRestoreIntegrationTest.admissions(rejoined))
          .containsExactly(admitted.value() + " rack 7");
    } finally {
      stopAll();
    }
  }

  @Test
  void refusesARunningNodesDataDirectoryAndAnotherGroupsSnapshot() throws Exception {
    try {
      TestNode node = TestNode.start(dirs.resolve("running"));
      nodes.add(node);
      await().atMost(Duration.ofSeconds(20)).until(() -> node.raft().leaderId().isPresent());
      String[] result =
          BlixardCliAccess.run("cluster", "recover", "--data-dir", node.dataDir().toString());
      assertThat(result[0]).isEqualTo("1");
      assertThat(result[2]).contains("expected: the member's node stopped");
      Path snap = dirs.resolve("running.snap");
      ok("snapshot", "save", snap.toString(), "--node", node.grpcAddress());
      node.close();

      TestNode other = TestNode.start(dirs.resolve("other"));
      nodes.add(other);
      other.close();
      result =
          BlixardCliAccess.run(
              "cluster",
              "recover",
              "--data-dir",
              other.dataDir().toString(),
              "--snapshot",
              snap.toString());
      assertThat(result[0]).isEqualTo("1");
      assertThat(result[2]).contains("expected: a snapshot this member's group took");
      // Refused before anything changed.
      try (Stream<Path> groups = Files.list(other.dataDir().resolve("raft"))) {
        assertThat(groups).hasSize(1);
      }
    } finally {
      stopAll();
    }
  }
}
