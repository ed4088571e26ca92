package io.blixard.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.blixard.cluster.raft.RaftNode;
import io.blixard.cluster.registry.CommandLog;
import io.blixard.cluster.registry.CommandVersions;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.cluster.registry.RegistryCommands;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.cluster.v1.Admission;
import io.blixard.proto.cluster.v1.Operator;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.cluster.v1.RegistryCommand.CommandCase;
import io.blixard.security.CommandSigner;
import io.blixard.support.TestNode;
import io.blixard.support.TestOperator;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.context.annotation.Bean;

/**
 * A rolling upgrade of a three-node cluster in one JVM. Every node runs a "newer build" in which
 * add-operator is a kind of command introduced by command-set version 2; one node is held at
 * version 1 ({@code blixard.cluster.command-version=1}), so it applies and reports what the
 * previous build does. The newer command is refused while that member reports version 1, goes
 * through once it is upgraded, and a node taken back to version 1 afterwards stops applying at that
 * command instead of diverging, then catches up once upgraded again. Registry writes go on without
 * pause through the whole upgrade, and every one that was acknowledged is on every node at the end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class RollingUpgradeIntegrationTest {

  /** The newer build's command set: add-operator stands for a kind it introduced. */
  public static class NewerBuild {
    @Bean
    CommandVersions newerCommandVersions() {
      return CommandVersions.withOverrides(Map.of(CommandCase.ADD_OPERATOR, 2));
    }
  }

  private static final List<Class<?>> NEWER = List.of(NewerBuild.class);

  /** The version a node of the newer build reports: the highest of its command set. */
  private static final int NEWER_VERSION =
      CommandVersions.withOverrides(Map.of(CommandCase.ADD_OPERATOR, 2)).highest();

  private static final String PREVIOUS = "--blixard.cluster.command-version=1";
  private static final Duration AGREEMENT = Duration.ofSeconds(30);

  @TempDir static Path dirs;

  private final List<TestNode> nodes = new ArrayList<>();
  private NodeIdentity newOperator;
  private Load load;

  /**
   * Admissions of made-up node ids, one after the other through the first node, for as long as the
   * upgrade runs; remembers those acknowledged.
   */
  private final class Load implements Runnable {
    private final Set<NodeId> acknowledged = ConcurrentHashMap.newKeySet();
    private final AtomicInteger failed = new AtomicInteger();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread = new Thread(this, "rolling-upgrade-load");

    @Override
    public void run() {
      long n = 0;
      while (running.get()) {
        NodeId id = NodeId.ofSubjectPublicKeyInfo(("load-" + n++).getBytes(StandardCharsets.UTF_8));
        try {
          submit(
              RegistryCommand.newBuilder().setAdmit(Admission.newBuilder().setNodeId(id.value())));
          acknowledged.add(id);
        } catch (Exception e) {
          // Not acknowledged: it may or may not be committed, nothing is claimed about it.
          failed.incrementAndGet();
        }
      }
    }
  }

  @BeforeAll
  void startCluster() {
    newOperator =
        NodeIdentity.loadOrCreate(dirs.resolve("new-operator"), "operator.key", "operator.crt");
    TestNode first = TestNode.start(NEWER, dirs.resolve("a"));
    await().atMost(Duration.ofSeconds(20)).until(() -> first.raft().leaderId().isPresent());
    nodes.add(first);
    nodes.add(TestNode.join(NEWER, dirs.resolve("b"), first));
    nodes.add(TestNode.join(NEWER, dirs.resolve("c"), first, PREVIOUS));
    load = new Load();
    load.thread.start();
  }

  @AfterAll
  void stopCluster() throws InterruptedException {
    load.running.set(false);
    load.thread.join(30_000);
    nodes.stream().filter(TestNode::isRunning).forEach(TestNode::close);
  }

  private TestNode old() {
    return nodes.get(2);
  }

  /** The command-set version {@code node}'s record reports, as {@code on} applied it. */
  private static int reported(TestNode on, TestNode node) {
    return on.bean(ClusterView.class).registry().stream()
        .filter(r -> r.nodeId().equals(node.id()))
        .mapToInt(RegisteredNode::commandVersion)
        .findFirst()
        .orElse(-1);
  }

  private void submit(RegistryCommand.Builder command) throws Exception {
    nodes
        .get(0)
        .bean(CommandLog.class)
        .submit(RegistryCommands.sign(CommandSigner.of(TestOperator.identity()), command))
        .get(20, TimeUnit.SECONDS);
  }

  private RegistryCommand.Builder addOperator() {
    return RegistryCommand.newBuilder()
        .setAddOperator(
            Operator.newBuilder().setNodeId(newOperator.nodeId().value()).setName("upgrade"));
  }

  @Test
  @Order(1)
  void aNewerCommandIsRefusedWhileOneMemberRunsThePreviousVersion() {
    TestNode first = nodes.get(0);
    await()
        .atMost(AGREEMENT)
        .untilAsserted(
            () -> {
              assertThat(reported(first, first)).isEqualTo(NEWER_VERSION);
              assertThat(reported(first, nodes.get(1))).isEqualTo(NEWER_VERSION);
              assertThat(reported(first, old())).isEqualTo(1);
            });

    assertThatThrownBy(() -> submit(addOperator()))
        .isInstanceOf(ExecutionException.class)
        .cause()
        .isInstanceOfSatisfying(
            AccessDeniedException.class, e -> assertThat(e.reason()).isEqualTo("cluster_version"))
        .hasMessageContaining("cluster runs version 1")
        .hasMessageContaining("member " + old().id().value());
    for (TestNode node : nodes) {
      assertThat(node.bean(NodeRegistry.class).isOperator(newOperator.nodeId())).isFalse();
    }
  }

  @Test
  @Order(2)
  void onceEveryMemberIsUpgradedTheNewerCommandGoesThrough() throws Exception {
    nodes.set(2, old().restart(NEWER));
    await().atMost(AGREEMENT).until(() -> reported(nodes.get(0), old()) == NEWER_VERSION);

    submit(addOperator());

    await()
        .atMost(AGREEMENT)
        .untilAsserted(
            () -> {
              for (TestNode node : nodes) {
                assertThat(node.bean(NodeRegistry.class).isOperator(newOperator.nodeId()))
                    .as(node.toString())
                    .isTrue();
              }
            });
  }

  @Test
  @Order(3)
  void aNodeTakenBackToThePreviousVersionStopsAtANewerCommandAndCatchesUpWhenUpgraded()
      throws Exception {
    // Its record still reports version 2 while it is down, so the other two commit a newer command.
    old().close();
    NodeIdentity another =
        NodeIdentity.loadOrCreate(dirs.resolve("another"), "operator.key", "operator.crt");
    submit(
        RegistryCommand.newBuilder()
            .setAddOperator(Operator.newBuilder().setNodeId(another.nodeId().value())));

    // Started again with the previous version, it meets that command in the log it catches up on.
    nodes.set(2, old().restart(NEWER, PREVIOUS));
    await().atMost(AGREEMENT).until(() -> old().bean(RaftNode.class).stoppedApplying());
    assertThat(old().bean(NodeRegistry.class).isOperator(another.nodeId())).isFalse();

    // The other two carry on without it.
    NodeIdentity admitted =
        NodeIdentity.loadOrCreate(dirs.resolve("admitted"), "node.key", "node.crt");
    submit(
        RegistryCommand.newBuilder()
            .setAdmit(Admission.newBuilder().setNodeId(admitted.nodeId().value())));
    assertThat(old().bean(NodeRegistry.class).isAdmitted(admitted.nodeId())).isFalse();

    nodes.set(2, old().restart(NEWER));
    await()
        .atMost(AGREEMENT)
        .untilAsserted(
            () -> {
              NodeRegistry registry = old().bean(NodeRegistry.class);
              assertThat(registry.isOperator(another.nodeId())).isTrue();
              assertThat(registry.isAdmitted(admitted.nodeId())).isTrue();
            });
    assertThat(old().bean(RaftNode.class).stoppedApplying()).isFalse();
  }

  @Test
  @Order(4)
  void noAcknowledgedWriteIsLostThroughTheUpgrade() throws InterruptedException {
    load.running.set(false);
    load.thread.join(30_000);
    assertThat(load.acknowledged).hasSizeGreaterThan(10);
    await()
        .atMost(AGREEMENT)
        .untilAsserted(
            () -> {
              for (TestNode node : nodes) {
                NodeRegistry registry = node.bean(NodeRegistry.class);
                assertThat(load.acknowledged.stream().filter(id -> !registry.isAdmitted(id)))
                    .as(
                        "acknowledged admissions missing on %s (%d writes failed)",
                        node, load.failed.get())
                    .isEmpty();
              }
            });
  }
}
