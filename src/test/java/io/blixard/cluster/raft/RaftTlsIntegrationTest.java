package io.blixard.cluster.raft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.blixard.cluster.ClusterView;
import io.blixard.cluster.RegisteredNode;
import io.blixard.cluster.registry.RegistryWriter;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.cluster.v1.NodeRecord;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.security.MemberTrustManager;
import io.blixard.security.NodeIdTrustManager;
import io.blixard.security.NodeKeyManagers;
import io.blixard.support.TestNode;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroup;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.retry.RetryPolicies;
import org.apache.ratis.retry.RetryPolicy;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.apache.ratis.util.TimeDuration;
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
 * The Raft port from an attacker's position and from the members': in secure mode (the default) a
 * Ratis client with a certificate that is not a member's, or with none, fails at the handshake and
 * its forged registry command changes nothing; members join, write and fail over over mutual TLS.
 * In insecure mode the port is plaintext, as the opt-in says.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class RaftTlsIntegrationTest {

  private static final String FAKE_ADDRESS = "10.66.66.66:7000";

  /** The key the attacker signs its forged command with. */
  private static final NodeIdentity ATTACKER =
      NodeIdentity.loadOrCreate(
          io.blixard.support.TestDirectories.newDataDir("blixard-raft-attacker"), "a.key", "a.crt");

  @TempDir static Path dirs;

  private final List<TestNode> nodes = new ArrayList<>();
  private TestNode first;

  @BeforeAll
  void startFirstNode() {
    first = TestNode.start(dirs.resolve("a"));
    nodes.add(first);
    await().atMost(Duration.ofSeconds(20)).until(() -> first.raft().leaderId().isPresent());
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> first.bean(ClusterView.class).registry().size() == 1);
  }

  @AfterAll
  void stopNodes() {
    nodes.forEach(TestNode::close);
  }

  /**
   * The command the attacker committed: a fake node the members would probe, signed with a
   * key that is not the node's (signatures do not stop it in insecure mode; the port is open).
   */
  private static Message forgedCommand() {
    Instant now = Instant.now();
    RegistryCommand command =
        RegistryCommand.newBuilder()
            .setUpsert(
                NodeRecord.newBuilder()
                    .setNodeId(NodeId.ofSubjectPublicKeyInfo(new byte[] {6, 6, 6}).value())
                    .setRaftAddress(FAKE_ADDRESS)
                    .setGrpcAddress("10.66.66.66:9090")
                    .setJoinedAtMillis(now.toEpochMilli())
                    .setUpdatedAtMillis(now.toEpochMilli()))
            .build();
    io.blixard.security.CommandSigner.Signed signed =
        io.blixard.security.CommandSigner.of(ATTACKER).sign(command.toByteArray());
    io.blixard.proto.cluster.v1.SignedCommand envelope =
        io.blixard.proto.cluster.v1.SignedCommand.newBuilder()
            .setCommand(com.google.protobuf.ByteString.copyFrom(signed.command()))
            .setPublicKey(com.google.protobuf.ByteString.copyFrom(signed.publicKey()))
            .setSignature(com.google.protobuf.ByteString.copyFrom(signed.signature()))
            .build();
    return Message.valueOf(ByteString.copyFrom(envelope.toByteArray()));
  }

  /** A Ratis client of {@code node}'s group that gives up after one attempt. */
  private static RaftClient client(TestNode node, Parameters parameters) {
    return client(node, parameters, RetryPolicies.noRetry());
  }

  private static RaftClient client(TestNode node, Parameters parameters, RetryPolicy retry) {
    RaftProperties properties = new RaftProperties();
    RaftClientConfigKeys.Rpc.setRequestTimeout(
        properties, TimeDuration.valueOf(2, TimeUnit.SECONDS));
    RaftPeer peer =
        RaftPeer.newBuilder()
            .setId(RaftPeerId.valueOf(node.id().value()))
            .setAddress("127.0.0.1:" + node.raftPort())
            .build();
    return RaftClient.newBuilder()
        .setProperties(properties)
        .setParameters(parameters)
        .setRaftGroup(
            RaftGroup.valueOf(
                RaftGroupId.valueOf(UUID.fromString(node.raft().groupId())), List.of(peer)))
        .setRetryPolicy(retry)
        .build();
  }

  private static Counter refusals(TestNode node, String reason) {
    return node.bean(MeterRegistry.class)
        .get(MemberTrustManager.REFUSALS)
        .tag("transport", "raft")
        .tag("reason", reason)
        .counter();
  }

  private static void assertRegistryUnchanged(TestNode node, List<RegisteredNode> before) {
    List<RegisteredNode> after = node.bean(ClusterView.class).registry();
    assertThat(after)
        .extracting(RegisteredNode::nodeId)
        .isEqualTo(before.stream().map(RegisteredNode::nodeId).toList());
    assertThat(after).extracting(RegisteredNode::raftAddress).doesNotContain(FAKE_ADDRESS);
  }

  @Test
  @Order(1)
  void aRaftClientWithANonMembersCertificateFailsAtTheHandshake() throws Exception {
    NodeIdentity attacker =
        NodeIdentity.loadOrCreate(dirs.resolve("attacker"), "node.key", "node.crt");
    Parameters parameters = new Parameters();
    // The attacker trusts any server and presents its own, valid, self-signed certificate.
    GrpcConfigKeys.TLS.setConf(
        parameters,
        new GrpcTlsConfig(NodeKeyManagers.of(attacker), NodeIdTrustManager.recording(), true));
    List<RegisteredNode> before = first.bean(ClusterView.class).registry();
    double refusedBefore = refusals(first, "not_member").count();

    try (RaftClient client = client(first, parameters)) {
      assertThatThrownBy(() -> client.io().send(forgedCommand())).isInstanceOf(IOException.class);
    }

    assertThat(refusals(first, "not_member").count()).isGreaterThan(refusedBefore);
    assertRegistryUnchanged(first, before);
  }

  @Test
  @Order(2)
  void aPlaintextRaftClientIsRefused() throws Exception {
    List<RegisteredNode> before = first.bean(ClusterView.class).registry();

    try (RaftClient client = client(first, new Parameters())) {
      assertThatThrownBy(() -> client.io().send(forgedCommand())).isInstanceOf(IOException.class);
    }

    assertRegistryUnchanged(first, before);
  }

  @Test
  @Order(3)
  void theRaftPortSpeaksOnlyTls13AndAsksForTheClientsCertificate() throws Exception {
    NodeIdentity self = first.bean(NodeIdentity.class);
    NodeIdTrustManager server = NodeIdTrustManager.pinned(first.id());
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(new KeyManager[] {NodeKeyManagers.of(self)}, new TrustManager[] {server}, null);

    try (SSLSocket socket = socket(tls, "TLSv1.3")) {
      socket.startHandshake();
      assertThat(socket.getSession().getProtocol()).isEqualTo("TLSv1.3");
      assertThat(socket.getSession().getLocalCertificates())
          .as("asked for a certificate")
          .hasSize(1);
    }
    assertThat(server.seen()).contains(first.id());
    try (SSLSocket socket = socket(tls, "TLSv1.2")) {
      assertThatThrownBy(socket::startHandshake).isInstanceOf(SSLException.class);
    }
  }

  private SSLSocket socket(SSLContext tls, String protocol) throws IOException {
    SSLSocket socket =
        (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", first.raftPort());
    socket.setSoTimeout(5000);
    socket.setEnabledProtocols(new String[] {protocol});
    return socket;
  }

  @Test
  @Order(4)
  void membersJoinWriteAndFailOverOverMutualTls() throws Exception {
    double refusedBefore = refusals(first, "not_member").count();
    TestNode second = TestNode.join(dirs.resolve("b"), first);
    nodes.add(second);
    // Through a follower: the leader replicates to the new node on the follower's request.
    TestNode third = TestNode.join(dirs.resolve("c"), second);
    nodes.add(third);
    List<NodeId> ids = nodes.stream().map(TestNode::id).toList();
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> {
              for (TestNode node : nodes) {
                assertThat(node.raft().members())
                    .extracting(m -> m.nodeId())
                    .containsExactlyInAnyOrderElementsOf(ids);
                assertThat(node.bean(ClusterView.class).registry())
                    .extracting(RegisteredNode::nodeId)
                    .containsExactlyInAnyOrderElementsOf(ids);
              }
            });

    assertThat(nodes)
        .as("members never refuse each other")
        .allSatisfy(
            n ->
                assertThat(refusals(n, "not_member").count())
                    .isEqualTo(n == first ? refusedBefore : 0));

    TestNode leader =
        nodes.stream()
            .filter(n -> n.raft().leaderId().filter(n.id()::equals).isPresent())
            .findFirst()
            .orElseThrow();
    NodeId oldLeader = leader.id();
    long oldTerm = leader.raft().term();
    leader.close();
    nodes.remove(leader);

    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () ->
                assertThat(nodes)
                    .allSatisfy(
                        n -> {
                          assertThat(n.raft().leaderId())
                              .isPresent()
                              .isNotEqualTo(Optional.of(oldLeader));
                          assertThat(n.raft().term()).isGreaterThan(oldTerm);
                        }));
    TestNode survivor = nodes.get(0);
    // The operator removes the old leader's record: a command signed by an operator's key.
    survivor
        .bean(RegistryWriter.class)
        .forward(
            io.blixard.cluster.registry.RegistryCommands.sign(
                io.blixard.security.CommandSigner.of(io.blixard.support.TestOperator.identity()),
                RegistryCommand.newBuilder().setRemove(oldLeader.value())))
        .get(10, TimeUnit.SECONDS);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(nodes)
                    .allSatisfy(
                        n ->
                            assertThat(n.bean(ClusterView.class).registry())
                                .extracting(RegisteredNode::nodeId)
                                .doesNotContain(oldLeader)));
  }

  @Test
  @Order(5)
  void inInsecureModeTheRaftPortIsPlaintext() throws Exception {
    TestNode insecure =
        TestNode.start(dirs.resolve("insecure"), "--blixard.security.mode=insecure");
    nodes.add(insecure);
    await().atMost(Duration.ofSeconds(20)).until(() -> insecure.raft().leaderId().isPresent());

    // Retried: a leader just elected may not be ready for writes yet.
    RetryPolicy retry =
        RetryPolicies.retryUpToMaximumCountWithFixedSleep(
            10, TimeDuration.valueOf(200, TimeUnit.MILLISECONDS));
    try (RaftClient client = client(insecure, new Parameters(), retry)) {
      assertThat(client.io().send(forgedCommand()).isSuccess()).isTrue();
    }
    assertThat(insecure.bean(ClusterView.class).registry())
        .extracting(RegisteredNode::raftAddress)
        .contains(FAKE_ADDRESS);
  }
}
