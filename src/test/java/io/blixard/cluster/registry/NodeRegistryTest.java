package io.blixard.cluster.registry;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.cluster.v1.Admission;
import io.blixard.proto.cluster.v1.AuditEntry;
import io.blixard.proto.cluster.v1.Bootstrap;
import io.blixard.proto.cluster.v1.Join;
import io.blixard.proto.cluster.v1.JoinToken;
import io.blixard.proto.cluster.v1.NodeRecord;
import io.blixard.proto.cluster.v1.Operator;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.cluster.v1.SignedCommand;
import io.blixard.security.CommandSigner;
import io.blixard.security.JoinCredential;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Who may change the cluster state, decided by the registry alone: no Raft. */
class NodeRegistryTest {

  @TempDir Path dir;

  private NodeIdentity first;
  private NodeIdentity operator;
  private NodeIdentity joiner;
  private NodeIdentity stranger;
  private NodeRegistry registry;
  private long index;

  private NodeIdentity identity(String name) {
    return NodeIdentity.loadOrCreate(dir.resolve(name), name + ".key", name + ".crt");
  }

  @BeforeEach
  void bootstrap() {
    first = identity("first");
    operator = identity("operator");
    joiner = identity("joiner");
    stranger = identity("stranger");
    registry = new NodeRegistry(true);
    assertThat(
            apply(
                first,
                RegistryCommand.newBuilder()
                    .setBootstrap(
                        Bootstrap.newBuilder()
                            .addOperators(
                                Operator.newBuilder()
                                    .setNodeId(operator.nodeId().value())
                                    .setName("ops"))
                            .setNode(record(first)))))
        .isEmpty();
  }

  private static NodeRecord record(NodeIdentity node) {
    return NodeRecord.newBuilder()
        .setNodeId(node.nodeId().value())
        .setRaftAddress("127.0.0.1:7000")
        .build();
  }

  private static SignedCommand sign(NodeIdentity by, RegistryCommand.Builder command) {
    return RegistryCommands.sign(CommandSigner.of(by), command);
  }

  private Optional<String> apply(NodeIdentity by, RegistryCommand.Builder command) {
    return registry.apply(sign(by, command), ++index).map(CommandRefusal::reason);
  }

  private static RegistryCommand.Builder join(NodeIdentity node, Optional<JoinCredential> token) {
    Join.Builder join = Join.newBuilder().setNode(record(node));
    token.ifPresent(t -> join.setTokenId(t.id()).setTokenSecret(t.secret()));
    return RegistryCommand.newBuilder().setJoin(join);
  }

  private JoinCredential token(boolean reusable, Duration ttl, Optional<NodeId> boundTo) {
    JoinCredential token = JoinCredential.generate(Optional.of(first.nodeId()));
    JoinToken.Builder stored =
        JoinToken.newBuilder()
            .setTokenId(token.id())
            .setSecretSha256(ByteString.copyFrom(token.secretHash()))
            .setExpiresAtMillis(Instant.now().plus(ttl).toEpochMilli())
            .setReusable(reusable);
    boundTo.ifPresent(b -> stored.setBoundNodeId(b.value()));
    assertThat(apply(operator, RegistryCommand.newBuilder().setAddToken(stored))).isEmpty();
    return token;
  }

  @Test
  void theBootstrapRecordsTheOperatorsAndTheFirstNodeWithItsKeyOnlyOnce() {
    assertThat(registry.bootstrapped()).isTrue();
    assertThat(registry.isOperator(operator.nodeId())).isTrue();
    assertThat(registry.isRegistered(first.nodeId())).isTrue();
    assertThat(registry.snapshot().getNodes(0).getPublicKey().toByteArray())
        .isEqualTo(first.certificate().getPublicKey().getEncoded());

    assertThat(
            apply(
                stranger,
                RegistryCommand.newBuilder()
                    .setBootstrap(
                        Bootstrap.newBuilder()
                            .addOperators(
                                Operator.newBuilder().setNodeId(stranger.nodeId().value()))
                            .setNode(record(stranger)))))
        .contains("already_bootstrapped");
    assertThat(registry.isOperator(stranger.nodeId())).isFalse();
  }

  @Test
  void aJoinWithoutProofIsNotAdmitted() {
    Optional<CommandRefusal> refusal =
        registry.apply(sign(joiner, join(joiner, Optional.empty())), ++index);

    assertThat(refusal).map(CommandRefusal::reason).contains("not_admitted");
    assertThat(refusal.get().message())
        .isEqualTo(
            "node "
                + joiner.nodeId()
                + " is not admitted to this cluster (expected: a join token in"
                + " blixard.cluster.join-token, or an operator's `blixard cluster admit "
                + joiner.nodeId()
                + "`)");
    assertThat(registry.isRegistered(joiner.nodeId())).isFalse();
    assertThat(registry.skipped()).isEqualTo(1);
  }

  @Test
  void aTokenAdmitsOnceThenIsUsed() {
    JoinCredential token = token(false, Duration.ofHours(1), Optional.empty());

    assertThat(apply(joiner, join(joiner, Optional.of(token)))).isEmpty();
    assertThat(registry.isRegistered(joiner.nodeId())).isTrue();
    // The same node again (a retried join) is fine; another node is not.
    assertThat(apply(joiner, join(joiner, Optional.of(token)))).isEmpty();
    assertThat(apply(stranger, join(stranger, Optional.of(token)))).contains("token_used");
    assertThat(registry.tokens().get(0).getUsedByList()).containsExactly(joiner.nodeId().value());
  }

  @Test
  void aReusableTokenAdmitsSeveralNodes() {
    JoinCredential token = token(true, Duration.ofHours(1), Optional.empty());

    assertThat(apply(joiner, join(joiner, Optional.of(token)))).isEmpty();
    assertThat(apply(stranger, join(stranger, Optional.of(token)))).isEmpty();
  }

  @Test
  void anExpiredBoundOrWrongTokenIsRefused() {
    JoinCredential expired = token(false, Duration.ofMillis(-1), Optional.empty());
    JoinCredential bound = token(false, Duration.ofHours(1), Optional.of(stranger.nodeId()));
    JoinCredential wrongSecret = new JoinCredential(Optional.empty(), bound.id(), "0".repeat(64));
    JoinCredential unknown = JoinCredential.generate(Optional.empty());

    assertThat(apply(joiner, join(joiner, Optional.of(expired)))).contains("token_expired");
    assertThat(apply(joiner, join(joiner, Optional.of(bound)))).contains("token_bound");
    assertThat(apply(joiner, join(joiner, Optional.of(wrongSecret)))).contains("token_unknown");
    assertThat(apply(joiner, join(joiner, Optional.of(unknown)))).contains("token_unknown");
    assertThat(registry.isRegistered(joiner.nodeId())).isFalse();
    assertThat(apply(stranger, join(stranger, Optional.of(bound)))).isEmpty();
  }

  @Test
  void aPreAdmittedNodeJoinsWithoutATokenAndUsesItsAdmissionUp() {
    assertThat(
            apply(
                operator,
                RegistryCommand.newBuilder()
                    .setAdmit(Admission.newBuilder().setNodeId(joiner.nodeId().value()))))
        .isEmpty();
    assertThat(registry.isAdmitted(joiner.nodeId())).isTrue();

    assertThat(apply(joiner, join(joiner, Optional.empty()))).isEmpty();

    assertThat(registry.isAdmitted(joiner.nodeId())).isFalse();
    assertThat(registry.isRegistered(joiner.nodeId())).isTrue();
  }

  @Test
  void aJoinSignedByAnotherNodeIsForbidden() {
    JoinCredential token = token(true, Duration.ofHours(1), Optional.empty());

    assertThat(apply(stranger, join(joiner, Optional.of(token)))).contains("forbidden");
  }

  @Test
  void aNodeRegistersAndRemovesItselfAnOperatorAnyNodeNobodyElse() {
    RegistryCommand.Builder upsertJoiner = RegistryCommand.newBuilder().setUpsert(record(joiner));
    RegistryCommand.Builder upsertFirst = RegistryCommand.newBuilder().setUpsert(record(first));

    assertThat(apply(joiner, upsertJoiner)).contains("not_admitted");
    assertThat(apply(stranger, upsertFirst)).contains("forbidden");
    assertThat(apply(first, upsertFirst)).isEmpty();
    assertThat(apply(operator, upsertJoiner)).isEmpty();

    assertThat(apply(stranger, RegistryCommands.remove(first.nodeId()))).contains("forbidden");
    assertThat(registry.isRegistered(first.nodeId())).isTrue();
    assertThat(apply(joiner, RegistryCommands.remove(joiner.nodeId()))).isEmpty();
    assertThat(apply(operator, RegistryCommands.remove(first.nodeId()))).isEmpty();
    assertThat(registry.nodes()).isEmpty();
  }

  @Test
  void adminCommandsNeedAnOperator() {
    assertThat(
            apply(
                first,
                RegistryCommand.newBuilder()
                    .setAddOperator(Operator.newBuilder().setNodeId(first.nodeId().value()))))
        .contains("not_operator");
    assertThat(
            apply(
                stranger,
                RegistryCommand.newBuilder()
                    .setAdmit(Admission.newBuilder().setNodeId(stranger.nodeId().value()))))
        .contains("not_operator");
    assertThat(registry.isOperator(first.nodeId())).isFalse();
    assertThat(registry.isAdmitted(stranger.nodeId())).isFalse();
  }

  @Test
  void aTokenMayNameOnlyAMemberAsItsIssuer() {
    JoinCredential token = JoinCredential.generate(Optional.of(stranger.nodeId()));
    JoinToken.Builder stored =
        JoinToken.newBuilder()
            .setTokenId(token.id())
            .setSecretSha256(ByteString.copyFrom(token.secretHash()))
            .setIssuerNodeId(stranger.nodeId().value());
    assertThat(apply(operator, RegistryCommand.newBuilder().setAddToken(stored)))
        .contains("issuer_unknown");
    assertThat(registry.tokens()).noneMatch(t -> t.getTokenId().equals(token.id()));

    stored.setIssuerNodeId(first.nodeId().value());
    assertThat(apply(operator, RegistryCommand.newBuilder().setAddToken(stored))).isEmpty();
  }

  @Test
  void theLastOperatorCannotBeRemoved() {
    RegistryCommand.Builder removeOperator =
        RegistryCommand.newBuilder().setRemoveOperator(operator.nodeId().value());

    assertThat(apply(operator, removeOperator)).contains("last_operator");
    assertThat(
            apply(
                operator,
                RegistryCommand.newBuilder()
                    .setAddOperator(Operator.newBuilder().setNodeId(stranger.nodeId().value()))))
        .isEmpty();
    assertThat(apply(stranger, removeOperator)).isEmpty();
    assertThat(registry.isOperator(operator.nodeId())).isFalse();
  }

  @Test
  void aForgedSignatureIsRefused() {
    SignedCommand real = sign(operator, RegistryCommands.remove(first.nodeId()));
    // The operator's key with a command it never signed.
    SignedCommand forged =
        real.toBuilder()
            .setCommand(
                RegistryCommand.newBuilder()
                    .setRemove(first.nodeId().value())
                    .setIssuedAtMillis(1)
                    .build()
                    .toByteString())
            .build();
    SignedCommand unsigned = real.toBuilder().clearSignature().build();

    assertThat(registry.check(forged, Instant.now(), List.of()))
        .map(CommandRefusal::reason)
        .contains("bad_signature");
    assertThat(registry.apply(unsigned, ++index))
        .map(CommandRefusal::reason)
        .contains("bad_signature");
    assertThat(registry.isRegistered(first.nodeId())).isTrue();
  }

  @Test
  void theLeaderRefusesACommandFarFromItsClock() {
    SignedCommand signed = sign(first, RegistryCommand.newBuilder().setUpsert(record(first)));

    assertThat(registry.check(signed, Instant.now(), List.of())).isEmpty();
    assertThat(registry.check(signed, Instant.now().plus(Duration.ofMinutes(2)), List.of()))
        .map(CommandRefusal::reason)
        .contains("stale_command");
  }

  @Test
  void insecureModeChecksNoSignature() {
    NodeRegistry insecure = new NodeRegistry(false);
    SignedCommand unsigned =
        SignedCommand.newBuilder()
            .setCommand(
                RegistryCommand.newBuilder().setUpsert(record(joiner)).build().toByteString())
            .build();

    assertThat(insecure.apply(unsigned, 1)).isEmpty();
    assertThat(insecure.isRegistered(joiner.nodeId())).isTrue();
  }

  @Test
  void everyAcceptedChangeIsAuditedAndTheSnapshotKeepsEverything() {
    JoinCredential token = token(false, Duration.ofHours(1), Optional.empty());
    apply(joiner, join(joiner, Optional.of(token)));
    apply(stranger, RegistryCommands.remove(first.nodeId()));

    assertThat(registry.audit())
        .extracting(AuditEntry::getAction)
        .containsExactly("bootstrap", "add-token", "join");
    assertThat(registry.audit().get(2).getActor()).isEqualTo(joiner.nodeId().value());
    assertThat(registry.audit().get(2).getDetail()).contains("with join token " + token.id());

    NodeRegistry restored = new NodeRegistry(true);
    restored.restore(registry.snapshot());
    assertThat(restored.snapshot()).isEqualTo(registry.snapshot());
    assertThat(restored.isOperator(operator.nodeId())).isTrue();
    assertThat(restored.bootstrapped()).isTrue();
  }

  @Test
  void theAuditLogKeepsTheLatestEntries() {
    for (int i = 0; i < NodeRegistry.AUDIT_KEPT + 5; i++) {
      apply(first, RegistryCommand.newBuilder().setUpsert(record(first)));
    }

    assertThat(registry.audit()).hasSize(NodeRegistry.AUDIT_KEPT);
    assertThat(registry.audit().get(NodeRegistry.AUDIT_KEPT - 1).getIndex()).isEqualTo(index);
  }

  private static RegistryCommand.Builder guardChange(String strategy, long baseVersion) {
    return RegistryCommand.newBuilder()
        .setGuardStrategy(
            io.blixard.proto.cluster.v1.GuardStrategy.newBuilder()
                .setStrategy(com.google.protobuf.ByteString.copyFromUtf8(strategy))
                .setService("health")
                .setChange("health quic-share 0% (canary guard rollback from 50%)")
                .setReason("canary guard: quic error ratio 0.31 vs grpc 0.00")
                .setBaseVersion(baseVersion));
  }

  @Test
  void aMembersCanaryGuardChangesTheStrategyWithinTheRuleOnly() {
    registry.guardRule(
        (current, proposed, service) ->
            new String(proposed, java.nio.charset.StandardCharsets.UTF_8).equals("share 0")
                ? Optional.empty()
                : Optional.of("more than a share"));
    assertThat(
            apply(
                operator,
                RegistryCommand.newBuilder()
                    .setSetStrategy(
                        io.blixard.proto.cluster.v1.SetStrategy.newBuilder()
                            .setStrategy(com.google.protobuf.ByteString.copyFromUtf8("share 50"))
                            .setChange("health quic-share 50%"))))
        .isEmpty();

    assertThat(apply(stranger, guardChange("share 0", 1))).contains("not_member");
    assertThat(apply(first, guardChange("share 0 and more", 1))).contains("not_a_guard_change");
    assertThat(apply(first, guardChange("share 0", 0))).contains("strategy_changed");
    assertThat(apply(first, guardChange("share 0", 1))).isEmpty();

    assertThat(registry.versions()).hasSize(2);
    assertThat(registry.versions().get(1).getBy()).isEqualTo(first.nodeId().value());
    assertThat(registry.versions().get(1).getReason()).startsWith("canary guard: quic error");
    assertThat(registry.audit()).anyMatch(e -> e.getAction().equals("guard-strategy"));
    // An operator's set-strategy stays operators' only.
    assertThat(
            apply(
                first,
                RegistryCommand.newBuilder()
                    .setSetStrategy(
                        io.blixard.proto.cluster.v1.SetStrategy.newBuilder()
                            .setStrategy(com.google.protobuf.ByteString.copyFromUtf8("share 100"))
                            .setBaseVersion(2))))
        .contains("not_operator");
  }

  @Test
  void withoutARuleNoGuardChangeIsApplied() {
    apply(
        operator,
        RegistryCommand.newBuilder()
            .setSetStrategy(
                io.blixard.proto.cluster.v1.SetStrategy.newBuilder()
                    .setStrategy(com.google.protobuf.ByteString.copyFromUtf8("share 50"))));

    assertThat(apply(first, guardChange("share 0", 1))).contains("invalid");
  }
}
