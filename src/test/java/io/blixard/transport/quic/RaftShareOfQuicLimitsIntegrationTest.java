package io.blixard.transport.quic;

import static io.blixard.support.RegistryWrites.admit;
import static io.blixard.support.RegistryWrites.someone;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.blixard.cluster.ClusterView;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.node.NodeAddress;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.health.v1.CheckRequest;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.support.TestNode;
import io.blixard.transport.quic.client.QuicClientSettings;
import io.blixard.transport.quic.client.QuicConnectionPool;
import io.blixard.transport.quic.server.QuicRpcServer;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
 * Three nodes with Raft over QUIC under a flood of client connections: every node's connection
 * limit is full of client connections and its inbound byte budget of their half-sent 1 MiB frames,
 * and still the cluster commits registry writes through every node and keeps its leader — Raft's
 * calls count against Raft's own share, and a member's new connection takes the slice kept for
 * members while a stranger's is refused.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 150, unit = TimeUnit.SECONDS)
class RaftShareOfQuicLimitsIntegrationTest {

  private static final int FRAME = 1024 * 1024;
  private static final int MAX_CONNECTIONS = 10;

  /** Small client limits, so that a flood of a few connections fills them. */
  private static final String[] ARGS = {
    "--blixard.transport.strategy.raft-transport=always-quic",
    "--blixard.transport.quic.max-frame-size=1MB",
    "--blixard.transport.quic.max-connections=" + MAX_CONNECTIONS,
    "--blixard.transport.quic.max-inbound-bytes=6MB",
    "--blixard.transport.quic.max-inbound-bytes-per-connection=2MB",
    "--blixard.transport.quic.frame-timeout=5m",
    "--blixard.transport.quic.idle-timeout=2m",
    "--blixard.transport.quic.raft.reserved-connections=4"
  };

  @TempDir static Path dirs;

  private final List<TestNode> nodes = new ArrayList<>();
  private final List<RawQuicClient> flood = new ArrayList<>();
  private NodeIdentity stranger;

  @BeforeAll
  void startCluster() {
    stranger = NodeIdentity.loadOrCreate(dirs.resolve("stranger"), "node.key", "node.crt");
    TestNode first = TestNode.start(dirs.resolve("a"), ARGS);
    nodes.add(first);
    await().atMost(Duration.ofSeconds(20)).until(() -> first.raft().leaderId().isPresent());
    nodes.add(TestNode.joinQuic(dirs.resolve("b"), first, ARGS));
    nodes.add(TestNode.joinQuic(dirs.resolve("c"), first, ARGS));
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .untilAsserted(
            () -> {
              for (TestNode node : nodes) {
                RaftState s = node.bean(ClusterView.class).requireState();
                assertThat(s.leaderId()).isPresent();
                assertThat(s.members()).hasSize(3).allMatch(RaftState.Member::voter);
              }
            });
  }

  @AfterAll
  void stopCluster() {
    flood.forEach(RawQuicClient::close);
    nodes.stream().filter(TestNode::isRunning).forEach(TestNode::close);
  }

  private TestNode leader() {
    NodeId id = nodes.get(0).raft().leaderId().orElseThrow();
    return nodes.stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
  }

  /** A frame header claiming a 1 MiB REQUEST payload, and the first bytes of it. */
  private static ByteBuf halfSentRequest(String method) {
    ByteBuf buf = Unpooled.buffer();
    buf.writeByte(1).writeByte(1).writeInt(FRAME);
    buf.writeLong(1).writeLong(2).writeShort(0);
    byte[] name = method.getBytes(StandardCharsets.UTF_8);
    buf.writeShort(name.length).writeBytes(name);
    return buf.writeBytes(new byte[1000]);
  }

  /**
   * Opens client connections to {@code node} until it refuses one, and has them hold half-sent
   * frames until its client budget is full: the next frame, whatever method it names, is refused.
   */
  private void floodNode(TestNode node) throws Exception {
    List<RawQuicClient> mine = new ArrayList<>();
    for (int i = 0; i < 3 * MAX_CONNECTIONS; i++) {
      try {
        mine.add(new RawQuicClient(node.quicPort(), QuicAlpn.RPC, stranger, 120));
      } catch (Exception refused) {
        break;
      }
    }
    flood.addAll(mine);
    mine.forEach(c -> floodPorts.put(c, node.quicPort()));
    // Those taken into the members' slice are closed once their certificate is seen.
    await()
        .pollDelay(Duration.ofMillis(500))
        .atMost(Duration.ofSeconds(10))
        .until(() -> mine.stream().filter(c -> c.connection.isActive()).count() <= MAX_CONNECTIONS);
    QuicRpcServer server = node.bean(QuicRpcServer.class);
    int holding = 0;
    Status full = null;
    for (RawQuicClient client : mine) {
      if (!client.connection.isActive()) {
        continue;
      }
      RawQuicClient.RawStream stream = client.open();
      long before = server.inboundBytes();
      // Every other one names a Raft method: a stranger's Raft call has no share of Raft's.
      stream.write(halfSentRequest(holding % 2 == 0 ? "blixard.test.v1.Any/Write" : RAFT_APPEND));
      Object answer = null;
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (answer == null
          && server.inboundBytes() < before + FRAME
          && System.nanoTime() < deadline) {
        answer = stream.received.poll(50, TimeUnit.MILLISECONDS);
      }
      if (answer != null) {
        full = RawQuicClient.errorOf(stream, answer);
        break;
      }
      if (server.inboundBytes() >= before + FRAME) {
        holding++;
      }
    }
    assertThat(holding).as("half-sent frames held").isGreaterThanOrEqualTo(5);
    assertThat(full).as("a frame refused once the budget is full").isNotNull();
    assertThat(full.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(full.getDescription()).contains("(blixard.transport.quic.max-inbound-bytes)");
    assertThat(server.inboundBytes()).isGreaterThanOrEqualTo(5L * (FRAME + 24));
  }

  private final Map<RawQuicClient, Integer> floodPorts = new HashMap<>();

  private boolean isConnectedTo(RawQuicClient client, TestNode node) {
    return floodPorts.getOrDefault(client, -1) == node.quicPort();
  }

  private static final String RAFT_APPEND = "blixard.raft.v1.RaftService/AppendEntries";

  private static String healthOverNewConnection(NodeIdentity as, TestNode node) {
    QuicConnectionPool pool =
        new QuicConnectionPool(QuicClientSettings.defaults(), as, new SimpleMeterRegistry());
    try {
      return HealthServiceGrpc.newBlockingStub(
              pool.channel(NodeAddress.parse("QUIC address", node.quicMemberAddress())))
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .check(CheckRequest.getDefaultInstance())
          .getStatus()
          .name();
    } finally {
      pool.close();
    }
  }

  @Test
  @Order(1)
  void raftKeepsCommittingAndItsLeaderWhileClientsFillEveryNodesLimits() throws Exception {
    TestNode leader = leader();
    long term = leader.raft().term();
    for (TestNode node : nodes) {
      floodNode(node);
    }

    // Writes through every node, several at once, so that appends span many packets.
    List<NodeId> written = new ArrayList<>();
    ExecutorService writers = Executors.newFixedThreadPool(6);
    try {
      List<CompletableFuture<Void>> writes = new ArrayList<>();
      for (int i = 0; i < 30; i++) {
        TestNode through = nodes.get(i % nodes.size());
        NodeId id = someone();
        written.add(id);
        writes.add(
            CompletableFuture.runAsync(
                () -> {
                  try {
                    admit(through, id);
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                },
                writers));
      }
      CompletableFuture.allOf(writes.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
    } finally {
      writers.shutdownNow();
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              for (TestNode node : nodes) {
                NodeRegistry registry = node.bean(NodeRegistry.class);
                assertThat(written).allMatch(registry::isAdmitted);
              }
            });
    assertThat(leader()).isSameAs(leader);
    assertThat(leader.raft().term()).isEqualTo(term);
    // The flood is still there: every node's client budget is as full as before.
    for (TestNode node : nodes) {
      assertThat(node.bean(QuicRpcServer.class).inboundBytes())
          .isGreaterThanOrEqualTo(5L * (FRAME + 24));
      assertThat(
              node.bean(MeterRegistry.class)
                  .get(QuicMetrics.INBOUND_BYTES)
                  .tags("side", "server", "share", "raft")
                  .gauge())
          .isNotNull();
    }
  }

  @Test
  @Order(2)
  void aMembersNewConnectionTakesTheReservedSliceWhileAStrangersIsRefused() {
    TestNode leader = leader();
    TestNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
    NodeIdentity member = follower.bean(NodeIdentity.class);

    assertThat(healthOverNewConnection(member, leader)).isNotBlank();
    assertThatThrownBy(() -> healthOverNewConnection(stranger, leader))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE))
        .hasMessageContaining("CONNECTION_REFUSED")
        .hasMessageContaining("blixard.transport.quic.max-connections");
    double refused =
        Stream.of("max_connections", "max_connections_per_source")
            .mapToDouble(
                reason ->
                    leader
                        .bean(MeterRegistry.class)
                        .get(QuicMetrics.CONNECTIONS_REFUSED)
                        .tags("side", "server", "reason", reason)
                        .counter()
                        .count())
            .sum();
    assertThat(refused).isPositive();
  }

  @Test
  @Order(3)
  void aMembersRaftFrameIsHeldInRaftsShareWhenTheClientsShareIsFull() throws Exception {
    TestNode leader = leader();
    TestNode follower = nodes.stream().filter(n -> n != leader).findFirst().orElseThrow();
    QuicRpcServer server = leader.bean(QuicRpcServer.class);
    long clients = server.inboundBytes();
    // A stranger naming a Raft method has no share of Raft's: refused as the clients' share is
    // full.
    RawQuicClient strangers =
        flood.stream()
            .filter(c -> c.connection.isActive())
            .filter(c -> isConnectedTo(c, leader))
            .findFirst()
            .orElseThrow();
    RawQuicClient.RawStream claim = strangers.open();
    claim.write(halfSentRequest(RAFT_APPEND));
    Status refused = RawQuicClient.errorOf(claim);
    assertThat(refused.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(refused.getDescription()).contains("(blixard.transport.quic.max-inbound-bytes");
    assertThat(server.raftInboundBytes()).isLessThan(FRAME);
    try (RawQuicClient member =
        new RawQuicClient(leader.quicPort(), QuicAlpn.RPC, follower.bean(NodeIdentity.class), 60)) {
      RawQuicClient.RawStream stream = member.open();
      stream.write(halfSentRequest(RAFT_APPEND));

      await()
          .atMost(Duration.ofSeconds(10))
          .untilAsserted(
              () -> assertThat(server.raftInboundBytes()).isGreaterThanOrEqualTo(FRAME + 24));
      assertThat(stream.received).isEmpty();
      assertThat(server.inboundBytes()).isLessThanOrEqualTo(clients);
      assertThat(
              leader
                  .bean(MeterRegistry.class)
                  .get(QuicMetrics.CONNECTIONS_RESERVED)
                  .tag("side", "server")
                  .gauge()
                  .value())
          .isPositive();
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(server.raftInboundBytes()).isLessThan(FRAME));
  }
}
