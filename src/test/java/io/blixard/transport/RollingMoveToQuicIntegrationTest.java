package io.blixard.transport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.blixard.cli.BlixardCliAccess;
import io.blixard.cluster.ClusterView;
import io.blixard.cluster.RaftRole;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.registry.CommandLog;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.cluster.registry.RegistryCommands;
import io.blixard.migration.RaftPeerTransports;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.Admission;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.security.CommandSigner;
import io.blixard.support.TestNode;
import io.blixard.support.TestOperator;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.grpc.server.lifecycle.GrpcServerLifecycle;

/**
 * The last step of a migration as a rolling change: a dual-mode cluster whose Raft already runs
 * over QUIC ({@code raft-transport: always-quic}) is restarted node by node in quic mode, while a
 * writer keeps proposing registry writes and a QUIC-only client keeps asking; every write is
 * acknowledged and every question answered throughout, and at the end no node listens on gRPC.
 */
@Timeout(value = 240, unit = TimeUnit.SECONDS)
class RollingMoveToQuicIntegrationTest {

  /** Attempts of one write before it counts as lost: a few elections' worth. */
  private static final int ATTEMPTS = 4;

  private static final String QUIC_RAFT = "--blixard.transport.strategy.raft-transport=always-quic";

  private static final String ROUTER = "--blixard.transport.quic.raft-router.enabled=true";

  @TempDir Path dirs;

  private final List<TestNode> nodes = new CopyOnWriteArrayList<>();

  /** The nodes the writer may write through: not the one being restarted. */
  private final Set<TestNode> writable = ConcurrentHashMap.newKeySet();

  @AfterEach
  void stopCluster() {
    nodes.stream().filter(TestNode::isRunning).forEach(TestNode::close);
  }

  @Test
  void aDualModeClusterBecomesQuicOnlyNodeByNodeWithoutDowntime() throws Exception {
    TestNode first = TestNode.start(dirs.resolve("a"), QUIC_RAFT);
    nodes.add(first);
    await().atMost(Duration.ofSeconds(20)).until(() -> first.raft().leaderId().isPresent());
    nodes.add(TestNode.join(dirs.resolve("b"), first, QUIC_RAFT));
    nodes.add(TestNode.join(dirs.resolve("c"), first, QUIC_RAFT));
    awaitAgreement();
    moveNodeByNodeWhileWriting();
  }

  /**
   * A cluster that started with Raft on Ratis's gRPC port (the Raft router on): its Raft traffic
   * moves to QUIC at run time ({@code strategy set --raft-transport always-quic}), then its nodes
   * restart in quic mode one by one. Their Raft address in the group stays the Raft port they had;
   * the members reach them at their registered QUIC address.
   */
  @Test
  void aClusterStartedWithRaftOnGrpcBecomesQuicOnlyNodeByNode() throws Exception {
    TestNode first = TestNode.start(dirs.resolve("a"), ROUTER);
    nodes.add(first);
    await().atMost(Duration.ofSeconds(20)).until(() -> first.raft().leaderId().isPresent());
    nodes.add(TestNode.join(dirs.resolve("b"), first, ROUTER));
    nodes.add(TestNode.join(dirs.resolve("c"), first, ROUTER));
    awaitAgreement();
    String[] set =
        BlixardCliAccess.run(
            "strategy",
            "set",
            "--raft-transport",
            "always-quic",
            "--reason",
            "Raft to QUIC",
            "--node",
            first.grpcAddress());
    assertThat(set[0]).as(set[2]).isEqualTo("0");
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              // The leader's appendEntries to both followers go over QUIC now.
              TestNode leader =
                  nodes.stream()
                      .filter(n -> n.raft().role() == RaftRole.LEADER)
                      .findFirst()
                      .orElseThrow();
              assertThat(leader.bean(RaftPeerTransports.class).transportsInUse().values())
                  .containsExactly("quic", "quic");
            });
    moveNodeByNodeWhileWriting();
    for (TestNode node : nodes) {
      // The Raft port the node had is free: nothing listens on TCP for Raft.
      try (ServerSocket probe = new ServerSocket()) {
        probe.bind(new InetSocketAddress("127.0.0.1", node.raftPort()));
      }
    }
  }

  private void moveNodeByNodeWhileWriting() throws Exception {
    writable.addAll(nodes);

    AtomicBoolean writing = new AtomicBoolean(true);
    AtomicInteger acknowledged = new AtomicInteger();
    AtomicInteger retried = new AtomicInteger();
    List<String> lost = new CopyOnWriteArrayList<>();
    List<NodeId> written = new CopyOnWriteArrayList<>();
    Thread writer =
        new Thread(
            () -> {
              while (writing.get()) {
                // A write that fails while the leader is being restarted (Ratis's client gives up
                // after 2 s, about an election) is retried, as a client of the cluster would; one
                // that fails for longer than a few elections is lost.
                List<String> failures = new ArrayList<>();
                boolean done = false;
                while (!done && failures.size() < ATTEMPTS) {
                  List<TestNode> through = List.copyOf(writable);
                  if (through.isEmpty()) {
                    continue;
                  }
                  TestNode node = through.get(acknowledged.get() % through.size());
                  try {
                    written.add(admitSomeone(node));
                    acknowledged.incrementAndGet();
                    done = true;
                  } catch (Exception e) {
                    if (writable.contains(node)) {
                      failures.add(node + ": " + e);
                      retried.incrementAndGet();
                    }
                  }
                }
                if (!done) {
                  lost.add(String.join("; ", failures));
                }
              }
            },
            "rolling-writer");
    writer.start();

    for (int i = 0; i < nodes.size(); i++) {
      TestNode old = nodes.get(i);
      TestNode asker = nodes.get((i + 1) % nodes.size());
      writable.remove(old);
      // Let a write that has picked the node finish before it stops.
      Thread.sleep(200);
      int before = acknowledged.get();
      TestNode restarted = old.restartQuic();
      nodes.set(i, restarted);
      awaitAgreement();
      writable.add(restarted);
      // A QUIC-only client of a member that was not restarted answered all along.
      String[] status = BlixardCliAccess.run("status", "--node", asker.quicMemberAddress());
      assertThat(status[0]).as(status[2]).isEqualTo("0");
      await().atMost(Duration.ofSeconds(20)).until(() -> acknowledged.get() > before + 2);
    }
    writing.set(false);
    writer.join(30_000);

    assertThat(lost).isEmpty();
    System.out.println(
        "rolling move: "
            + acknowledged.get()
            + " writes acknowledged, "
            + retried.get()
            + " retried");
    assertThat(acknowledged.get()).isGreaterThan(6);
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              for (TestNode node : nodes) {
                NodeRegistry registry = node.bean(NodeRegistry.class);
                assertThat(written).allMatch(registry::isAdmitted);
              }
            });
    for (TestNode node : nodes) {
      assertThat(node.context().getBeansOfType(GrpcServerLifecycle.class)).isEmpty();
      assertThat(node.bean(NodeEndpoints.class).address(NodeEndpoints.Kind.GRPC)).isEmpty();
    }
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(nodes.get(0).bean(ClusterView.class).registry())
                    .hasSize(3)
                    .allSatisfy(n -> assertThat(n.grpcAddress()).isEmpty()));
    String[] health =
        BlixardCliAccess.run("cluster-health", "--node", nodes.get(0).quicMemberAddress());
    assertThat(health[0]).as(health[2]).isEqualTo("0");
    assertThat(health[1]).contains("3 healthy of 3");
  }

  /** Every node names the same leader and term and three voters. */
  private void awaitAgreement() {
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              List<RaftState> states = new ArrayList<>();
              for (TestNode node : nodes) {
                states.add(node.bean(ClusterView.class).requireState());
              }
              RaftState first = states.get(0);
              assertThat(first.leaderId()).isPresent();
              for (RaftState s : states) {
                assertThat(s.leaderId()).isEqualTo(first.leaderId());
                assertThat(s.term()).isEqualTo(first.term());
                assertThat(s.members()).hasSize(3).allMatch(RaftState.Member::voter);
              }
            });
  }

  private static NodeId admitSomeone(TestNode node) throws Exception {
    NodeId someone = NodeId.ofSubjectPublicKeyInfo(UUID.randomUUID().toString().getBytes());
    node.bean(CommandLog.class)
        .submit(
            RegistryCommands.sign(
                CommandSigner.of(TestOperator.identity()),
                RegistryCommand.newBuilder()
                    .setAdmit(Admission.newBuilder().setNodeId(someone.value()))))
        .get(20, TimeUnit.SECONDS);
    return someone;
  }
}
