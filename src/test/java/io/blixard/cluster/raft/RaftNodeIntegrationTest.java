package io.blixard.cluster.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.PeerProbes;
import io.blixard.cluster.RaftRole;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.RegisteredNode;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.cluster.registry.RegistryWriter;
import io.blixard.node.DataDirectory;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeIdentity;
import io.blixard.node.NodeProperties;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/**
 * A real Ratis server in a temporary directory, read through its cluster view and written through
 * the registry writer: bootstrap, registry writes, snapshot, restart.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class RaftNodeIntegrationTest {

  @TempDir Path dataDir;
  private RaftNode raftNode;
  private RaftClusterView node;
  private RegistryWriter writer;

  @AfterEach
  void stop() {
    if (raftNode != null) {
      raftNode.stop();
    }
  }

  private void start(long snapshotThreshold) {
    DataDirectory directory = DataDirectory.open(dataDir);
    NodeIdentity identity = NodeIdentity.loadOrCreate(directory);
    NodeEndpoints endpoints =
        new NodeEndpoints(new NodeProperties(dataDir, "127.0.0.1", DataSize.ofMegabytes(1)));
    ClusterProperties properties =
        new ClusterProperties(
            new ClusterProperties.Raft(
                0,
                "127.0.0.1",
                Duration.ofMillis(300),
                Duration.ofMillis(600),
                Duration.ofSeconds(5),
                snapshotThreshold),
            Duration.ofSeconds(5),
            java.util.List.of(),
            null,
            null);
    NodeRegistry registry = new NodeRegistry();
    raftNode = new RaftNode(identity, directory, endpoints, properties, registry, null);
    node =
        new RaftClusterView(
            raftNode, registry, new PeerProbes(new SimpleMeterRegistry()), identity, properties);
    writer = new RegistryWriter(new RaftCommandLog(raftNode, properties), identity);
    raftNode.start();
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> node.state().flatMap(RaftState::leaderId).isPresent());
    if (!registry.bootstrapped()) {
      // The registry takes this node's writes once it is the cluster's first node.
      try {
        writer
            .bootstrap(
                io.blixard.proto.cluster.v1.Bootstrap.newBuilder()
                    .setNode(
                        io.blixard.proto.cluster.v1.NodeRecord.newBuilder()
                            .setNodeId(identity.nodeId().value()))
                    .build())
            .get(10, TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    }
  }

  private static RegisteredNode record(RaftState state, String grpc) {
    Instant now = Instant.now();
    return new RegisteredNode(state.nodeId(), "127.0.0.1:7000", grpc, "", "", now, now);
  }

  @Test
  void bootstrapsAOneNodeGroupAndLeadsIt() {
    start(1024);
    RaftState state = node.state().orElseThrow();
    assertThat(state.role()).isEqualTo(RaftRole.LEADER);
    assertThat(state.leaderId()).contains(state.nodeId());
    assertThat(state.term()).isPositive();
    assertThat(state.members())
        .singleElement()
        .satisfies(
            m -> {
              assertThat(m.nodeId()).isEqualTo(state.nodeId());
              assertThat(m.voter()).isTrue();
              assertThat(m.lastContact()).isPresent();
            });
    assertThat(state.failureTolerance()).isZero();
    assertThat(state.followers()).isEmpty();
  }

  @Test
  void registryWritesGoThroughTheLogAndKeepTheJoinTime() throws Exception {
    start(1024);
    RaftState state = node.state().orElseThrow();
    RegisteredNode first = record(state, "127.0.0.1:7001");
    writer.register(first).get(10, TimeUnit.SECONDS);
    RegisteredNode moved =
        new RegisteredNode(
            state.nodeId(),
            "127.0.0.1:7000",
            "127.0.0.1:9001",
            "",
            "",
            first.joinedAt().plusSeconds(60),
            Instant.now());
    writer.register(moved).get(10, TimeUnit.SECONDS);

    assertThat(node.registry())
        .singleElement()
        .satisfies(
            n -> {
              assertThat(n.grpcAddress()).isEqualTo("127.0.0.1:9001");
              assertThat(n.joinedAt())
                  .isEqualTo(first.joinedAt().truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
            });
    RaftState after = node.state().orElseThrow();
    assertThat(after.commitIndex()).isGreaterThan(state.commitIndex());
    // The state machine applies what is committed; on a busy machine a moment later.
    org.awaitility.Awaitility.await()
        .atMost(java.time.Duration.ofSeconds(10))
        .until(
            () -> {
              RaftState now = node.state().orElseThrow();
              return now.appliedIndex() == now.commitIndex();
            });
  }

  @Test
  void restartRecoversGroupLogAndRegistryFromSnapshot() throws Exception {
    start(3);
    RaftState before = node.state().orElseThrow();
    for (int i = 0; i < 10; i++) {
      writer.register(record(before, "127.0.0.1:" + (8000 + i))).get(10, TimeUnit.SECONDS);
    }
    long committed = node.state().orElseThrow().commitIndex();
    raftNode.stop();
    raftNode = null;
    try (Stream<Path> files = Files.walk(dataDir.resolve("raft"))) {
      assertThat(files.map(p -> p.getFileName().toString()))
          .as("a registry snapshot was written")
          .anyMatch(name -> name.startsWith("snapshot."));
    }

    start(3);
    RaftState after = node.state().orElseThrow();
    assertThat(after.nodeId()).isEqualTo(before.nodeId());
    assertThat(after.groupId()).isEqualTo(before.groupId());
    assertThat(after.term()).isGreaterThanOrEqualTo(before.term());
    assertThat(after.commitIndex()).isGreaterThanOrEqualTo(committed);
    assertThat(node.registry())
        .singleElement()
        .extracting(RegisteredNode::grpcAddress)
        .isEqualTo("127.0.0.1:8009");
  }
}
