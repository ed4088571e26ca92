package io.blixard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import io.blixard.cli.BlixardCliAccess;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.cluster.registry.RegistryCommands;
import io.blixard.node.NodeAddress;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.cluster.v1.GetMembersRequest;
import io.blixard.proto.cluster.v1.Member;
import io.blixard.proto.cluster.v1.MembershipServiceGrpc;
import io.blixard.proto.cluster.v1.Operator;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.cluster.v1.SignedCommand;
import io.blixard.proto.security.v1.ListOperatorsRequest;
import io.blixard.proto.security.v1.SecurityServiceGrpc;
import io.blixard.proto.security.v1.SignedChange;
import io.blixard.support.TestNode;
import io.blixard.transport.grpc.GrpcChannelFactory;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
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
 * Admission on a secured cluster of real nodes, driven through the command line as an operator
 * drives it: a join token created with {@code blixard cluster token create} admits one node once,
 * an admitted id joins without a token, a node with no proof or a token whose issuer is not the
 * member it dials is refused, a stranger cannot make itself an operator, operators are added and
 * removed, a member is removed by a signed leave and replaced by a node with a new key, and the
 * audit log names who did each.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@Timeout(value = 120, unit = TimeUnit.SECONDS)
class AdmissionIntegrationTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A join that cannot succeed gives up soon. */
  private static final String SHORT_JOIN = "--blixard.cluster.join-retry.timeout=3s";

  @TempDir static Path dirs;

  private TestNode first;
  private final List<TestNode> joined = new ArrayList<>();

  @BeforeAll
  void startFirst() {
    first = TestNode.start(dirs.resolve("first"));
    // The operators are cluster state: committed just after the first node elects itself.
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> first.bean(NodeRegistry.class).isOperator(first.operator().nodeId()));
  }

  @AfterAll
  void stop() {
    Stream.concat(joined.stream(), Stream.of(first))
        .filter(n -> n != null && n.isRunning())
        .forEach(TestNode::close);
  }

  /** Runs the command line against the first node: exit code, stdout, stderr. */
  private String[] cli(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--node", first.grpcAddress()));
    return BlixardCliAccess.run(all.toArray(String[]::new));
  }

  private String ok(String... args) {
    String[] result = cli(args);
    assertThat(result[0]).as(String.join(" ", args) + ": " + result[2]).isEqualTo("0");
    return result[1];
  }

  private TestNode join(String name, String token, String... more) {
    List<String> args = new ArrayList<>();
    args.add("--blixard.cluster.join=" + first.grpcAddress());
    args.add("--blixard.cluster.join-token=" + token);
    args.addAll(List.of(more));
    TestNode node = TestNode.start(dirs.resolve(name), args.toArray(String[]::new));
    joined.add(node);
    return node;
  }

  private List<String> memberIds() {
    return MembershipServiceGrpc.newBlockingStub(first.channel())
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .getMembers(GetMembersRequest.getDefaultInstance())
        .getMembersList()
        .stream()
        .map(Member::getNodeId)
        .toList();
  }

  private List<String> operatorIds() {
    return SecurityServiceGrpc.newBlockingStub(first.channel())
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .listOperators(ListOperatorsRequest.getDefaultInstance())
        .getOperatorsList()
        .stream()
        .map(Operator::getNodeId)
        .toList();
  }

  private static NodeIdentity stranger() {
    return NodeIdentity.loadOrCreate(dirs.resolve("stranger"), "stranger.key", "stranger.crt");
  }

  private static ByteString signed(NodeIdentity signer, RegistryCommand.Builder command) {
    return RegistryCommands.sign(CommandSigner.of(signer), command).toByteString();
  }

  @Test
  @Order(1)
  void aTokenFromTheCommandLineAdmitsOneNodeOnce() {
    String token = ok("cluster", "token", "create", "--ttl", "10m").trim();
    assertThat(token).startsWith("blx1." + first.id().value() + ".");

    TestNode second = join("second", token);
    await().atMost(Duration.ofSeconds(20)).until(() -> memberIds().contains(second.id().value()));
    assertThat(ok("cluster", "token", "list")).contains("single").contains(second.id().shortForm());

    assertThatThrownBy(() -> join("reuse", token, SHORT_JOIN))
        .hasStackTraceContaining("was used already by node " + second.id())
        .hasStackTraceContaining("a new token, or one created with --reusable");
    assertThat(memberIds()).hasSize(2);
  }

  @Test
  @Order(2)
  void anAdmittedIdJoinsWithoutAToken() {
    NodeId id =
        NodeIdentity.loadOrCreate(
                dirs.resolve("admitted").resolve("identity"), "node.key", "node.crt")
            .nodeId();
    assertThat(ok("cluster", "admit", id.value(), "--comment", "rack 3")).contains("admitted");
    assertThat(ok("cluster", "admit", "--list")).contains(id.value()).contains("rack 3");

    TestNode admitted = join("admitted", "");
    assertThat(admitted.id()).isEqualTo(id);
    await().atMost(Duration.ofSeconds(20)).until(() -> memberIds().contains(id.value()));
    // The admission is used up by the join.
    assertThat(ok("cluster", "admit", "--list")).doesNotContain(id.value());
  }

  @Test
  @Order(3)
  void aNodeWithoutProofIsRefusedWithWhatIsMissing() {
    int before = memberIds().size();
    assertThatThrownBy(() -> join("stranger-node", "", SHORT_JOIN))
        .hasStackTraceContaining("is not admitted to this cluster")
        .hasStackTraceContaining("expected: a join token in blixard.cluster.join-token");
    assertThat(memberIds()).hasSize(before);
  }

  @Test
  @Order(4)
  void aJoinerTrustsOnlyTheTokensIssuerAtAHostAndPortAddress() {
    String token = ok("cluster", "token", "create", "--ttl", "10m").trim();
    String[] parts = token.split("\\.");
    // The same secret, but naming another member as issuer: the member dialled is not that one.
    NodeId other = joined.get(0).id();
    String misnamed = String.join(".", parts[0], other.value(), parts[2], parts[3]);
    int before = memberIds().size();

    assertThatThrownBy(() -> join("misled", misnamed, SHORT_JOIN))
        .hasStackTraceContaining("(expected: node " + other + ")")
        .hasStackTraceContaining("a joiner trusts only the join token's issuer");
    assertThat(memberIds()).hasSize(before);
    ok("cluster", "token", "revoke", parts[2]);
    assertThat(ok("cluster", "token", "list")).doesNotContain(parts[2]);
  }

  @Test
  @Order(5)
  void aStrangerCannotMakeItselfAnOperatorOnAnyPath() {
    NodeIdentity stranger = stranger();
    List<String> before = operatorIds();
    ByteString command =
        signed(
            stranger,
            RegistryCommand.newBuilder()
                .setAddOperator(Operator.newBuilder().setNodeId(stranger.nodeId().value())));
    SignedChange change = SignedChange.newBuilder().setSignedCommand(command).build();

    // Calling with its own certificate: the policy refuses before anything is read.
    try (GrpcChannelFactory channels =
        GrpcChannelFactory.of(GrpcChannelFactory.Tls.AUTO, stranger, Duration.ofSeconds(5))) {
      ManagedChannel channel = channels.newChannel(NodeAddress.of("127.0.0.1", first.grpcPort()));
      try {
        assertThatThrownBy(() -> addOperator(channel, change))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED));
      } finally {
        channel.shutdownNow();
      }
    }
    // Its command forwarded by an operator's connection: the registry checks the signer.
    assertThatThrownBy(() -> addOperator(first.channel(), change))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.PERMISSION_DENIED);
              assertThat(e.getStatus().getDescription())
                  .contains(stranger.nodeId() + " is not an operator of this cluster");
            });
    // A command whose signature does not match its key.
    SignedCommand forged =
        RegistryCommands.parseSigned(command.toByteArray(), "command").toBuilder()
            .setPublicKey(
                ByteString.copyFrom(first.operator().certificate().getPublicKey().getEncoded()))
            .build();
    assertThatThrownBy(
            () ->
                addOperator(
                    first.channel(),
                    SignedChange.newBuilder().setSignedCommand(forged.toByteString()).build()))
        .hasMessageContaining("PERMISSION_DENIED")
        .hasMessageContaining("signature does not verify");
    assertThat(operatorIds()).isEqualTo(before);
  }

  private static void addOperator(Channel channel, SignedChange change) {
    SecurityServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .addOperator(change);
  }

  @Test
  @Order(6)
  void anOperatorAddsAndRemovesOperators() {
    NodeId newcomer = stranger().nodeId();
    assertThat(ok("operator", "add", newcomer.value(), "--name", "on-call")).contains("added");
    assertThat(ok("operator", "list")).contains(newcomer.value()).contains("on-call");
    assertThat(operatorIds()).contains(newcomer.value());

    assertThat(ok("operator", "remove", newcomer.value())).contains("removed");
    assertThat(operatorIds()).doesNotContain(newcomer.value());
    // The last operator stays.
    String[] last = cli("operator", "remove", first.operator().nodeId().value());
    assertThat(last[0]).isNotEqualTo("0");
    assertThat(last[2]).contains("is the last one");
    assertThat(operatorIds()).containsExactly(first.operator().nodeId().value());
  }

  @Test
  @Order(7)
  void aMemberIsReplacedByANodeWithANewKey() {
    TestNode old = joined.get(0);
    NodeId oldId = old.id();
    // The node's key is gone (or compromised): take its id out, then join a new node in its place.
    old.close();
    assertThat(ok("cluster", "leave", "--id", oldId.value())).contains("left the group");
    assertThat(memberIds()).doesNotContain(oldId.value());

    String token = ok("cluster", "token", "create", "--ttl", "10m").trim();
    TestNode replacement = join("replacement", token);
    assertThat(replacement.id()).isNotEqualTo(oldId);
    await()
        .atMost(Duration.ofSeconds(20))
        .until(() -> memberIds().contains(replacement.id().value()));
    assertThat(memberIds()).doesNotContain(oldId.value());
  }

  @Test
  @Order(8)
  void theAuditLogNamesWhoDidEachChange() throws Exception {
    String operator = first.operator().nodeId().value();
    JsonNode audit = JSON.readTree(ok("cluster", "audit", "--limit", "0", "--json"));
    List<JsonNode> entries =
        StreamSupport.stream(audit.get("entries").spliterator(), false).toList();
    List<String> actions = entries.stream().map(e -> e.get("action").asText()).toList();
    assertThat(actions)
        .contains(
            "bootstrap",
            "add-token",
            "join",
            "admit",
            "remove-token",
            "add-operator",
            "remove-operator",
            "remove");
    assertThat(entries)
        .filteredOn(e -> e.get("action").asText().endsWith("-operator"))
        .allSatisfy(e -> assertThat(e.get("actor").asText()).isEqualTo(operator));
    assertThat(ok("cluster", "audit", "--limit", "3").lines().count()).isEqualTo(4);
  }
}
