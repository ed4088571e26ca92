package io.blixard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.blixard.cluster.ClusterView;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.RegisteredNode;
import io.blixard.node.NodeIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.util.FileSystemUtils;

/** A node stopped and started again on the same data directory keeps its id, group and registry. */
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class NodeRestartIntegrationTest {

  @TempDir Path dataDir;

  private ConfigurableApplicationContext start(Path dir) {
    return new SpringApplicationBuilder(BlixardApplication.class)
        .web(WebApplicationType.NONE)
        // Arguments, not default properties: they must win over ./application.yml.
        .run(
            "--blixard.node.data-dir=" + dir,
            "--blixard.cluster.raft.port=0",
            "--blixard.transport.grpc.port=0",
            "--blixard.transport.mode=grpc",
            "--blixard.security.operator-dir=" + dir.resolve("operator"));
  }

  private static RegisteredNode awaitRegistered(ConfigurableApplicationContext context) {
    ClusterView raft = context.getBean(ClusterView.class);
    NodeIdentity identity = context.getBean(NodeIdentity.class);
    String grpcPort =
        Integer.toString(
            context
                .getBean(io.blixard.node.NodeEndpoints.class)
                .address(io.blixard.node.NodeEndpoints.Kind.GRPC)
                .orElseThrow()
                .getPort());
    await()
        .atMost(Duration.ofSeconds(30))
        .until(
            () ->
                raft.registry().stream()
                    .anyMatch(
                        n ->
                            n.nodeId().equals(identity.nodeId())
                                && n.grpcAddress().endsWith(":" + grpcPort)));
    return raft.registry().get(0);
  }

  @Test
  void identityGroupAndRegistrySurviveARestart() {
    String nodeId;
    String groupId;
    long term;
    RegisteredNode registered;
    try (ConfigurableApplicationContext first = start(dataDir)) {
      nodeId = first.getBean(NodeIdentity.class).nodeId().value();
      registered = awaitRegistered(first);
      RaftState state = first.getBean(ClusterView.class).state().orElseThrow();
      groupId = state.groupId();
      term = state.term();
    }

    try (ConfigurableApplicationContext second = start(dataDir)) {
      assertThat(second.getBean(NodeIdentity.class).nodeId().value()).isEqualTo(nodeId);
      ClusterView raft = second.getBean(ClusterView.class);
      await()
          .atMost(Duration.ofSeconds(30))
          .until(() -> raft.state().flatMap(RaftState::leaderId).isPresent());
      RaftState state = raft.state().orElseThrow();
      assertThat(state.groupId()).isEqualTo(groupId);
      assertThat(state.term()).isGreaterThan(term);
      // The grpc port is new after the restart; the registry updates it and keeps the join time.
      RegisteredNode again = awaitRegistered(second);
      assertThat(List.of(again.nodeId().value())).containsExactly(nodeId);
      assertThat(again.joinedAt()).isEqualTo(registered.joinedAt());
    }
  }

  @Test
  void aDataDirectoryThatCannotBeCreatedStopsStartUpNamingThePath() throws Exception {
    Path file = Files.writeString(dataDir.resolve("not-a-directory"), "x");
    Path impossible = file.resolve("data");
    assertThatThrownBy(() -> start(impossible).close())
        .hasRootCauseInstanceOf(java.nio.file.FileSystemException.class)
        .satisfies(
            e ->
                assertThat(rootMessageChain(e))
                    .contains("data directory " + impossible + " cannot be created"));
  }

  @Test
  void aNodeWhoseIdentityIsGoneRefusesToStartOverItsRaftState() throws Exception {
    String nodeId;
    try (ConfigurableApplicationContext first = start(dataDir)) {
      nodeId = first.getBean(NodeIdentity.class).nodeId().value();
      awaitRegistered(first);
    }
    FileSystemUtils.deleteRecursively(dataDir.resolve("identity"));

    assertThatThrownBy(() -> start(dataDir).close())
        .satisfies(
            e ->
                assertThat(StartupFailures.analysis(e))
                    .startsWith(
                        "data directory "
                            + dataDir
                            + " holds the Raft state of node "
                            + nodeId
                            + " but not its identity")
                    .contains("Restore " + dataDir.resolve("identity") + " from a backup"));
    assertThat(dataDir.resolve("identity")).doesNotExist();
    assertThat(Files.readString(dataDir.resolve("node-id")).trim()).isEqualTo(nodeId);
  }

  @Test
  void aNodeWithAnotherNodesIdentityRefusesToStartOverItsRaftState(@TempDir Path other)
      throws Exception {
    try (ConfigurableApplicationContext first = start(dataDir)) {
      awaitRegistered(first);
    }
    NodeIdentity stranger = NodeIdentity.loadOrCreate(io.blixard.node.DataDirectory.open(other));
    FileSystemUtils.deleteRecursively(dataDir.resolve("identity"));
    FileSystemUtils.copyRecursively(other.resolve("identity"), dataDir.resolve("identity"));

    assertThatThrownBy(() -> start(dataDir).close())
        .satisfies(
            e ->
                assertThat(StartupFailures.analysis(e))
                    .contains("but its identity is node " + stranger.nodeId()));
  }

  @Test
  void aDamagedRaftLogStopsStartUpWithOneLineAndLeavesNoRaftThreads() throws Exception {
    try (ConfigurableApplicationContext first = start(dataDir)) {
      awaitRegistered(first);
    }
    // The restart closes the first segment and opens another.
    try (ConfigurableApplicationContext second = start(dataDir)) {
      awaitRegistered(second);
    }
    Path segment = RaftLogs.corruptAClosedSegment(dataDir);
    String nodeId =
        NodeIdentity.loadOrCreate(io.blixard.node.DataDirectory.open(dataDir)).nodeId().value();

    assertThatThrownBy(() -> start(dataDir).close())
        .satisfies(
            e ->
                assertThat(StartupFailures.analysis(e))
                    .startsWith("cannot recover the Raft state in " + dataDir.resolve("raft"))
                    .contains("The Raft log or snapshot is damaged"));
    assertThat(segment).exists();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(() -> assertThat(RaftLogs.liveNonDaemonRatisThreads(nodeId)).isEmpty());
  }

  private static String rootMessageChain(Throwable e) {
    StringBuilder messages = new StringBuilder();
    for (Throwable t = e; t != null; t = t.getCause()) {
      messages.append(t.getMessage()).append('\n');
    }
    return messages.toString();
  }
}
