package io.blixard.cluster.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.ByteString;
import com.google.protobuf.UnknownFieldSet;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.cluster.v1.Admission;
import io.blixard.proto.cluster.v1.Bootstrap;
import io.blixard.proto.cluster.v1.Join;
import io.blixard.proto.cluster.v1.NodeRecord;
import io.blixard.proto.cluster.v1.Operator;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.cluster.v1.RegistryCommand.CommandCase;
import io.blixard.proto.cluster.v1.SignedCommand;
import io.blixard.security.CommandSigner;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster version gate, decided by the registry alone: a kind of command enters the log only
 * once every member reports a command-set version that has it, and a node that meets a kind beyond
 * its own version stops instead of skipping it. Add-operator stands for a kind a later build
 * introduces: these registries declare it at version 2.
 */
class ClusterVersionTest {

  private static final CommandVersions NEWER =
      CommandVersions.withOverrides(Map.of(CommandCase.ADD_OPERATOR, 2));

  @TempDir Path dir;

  private NodeIdentity first;
  private NodeIdentity operator;
  private NodeIdentity second;
  private NodeRegistry leader;
  private long index;

  private NodeIdentity identity(String name) {
    return NodeIdentity.loadOrCreate(dir.resolve(name), name + ".key", name + ".crt");
  }

  private static NodeRecord record(NodeIdentity node, int commandVersion) {
    return NodeRecord.newBuilder()
        .setNodeId(node.nodeId().value())
        .setRaftAddress("127.0.0.1:7000")
        .setCommandVersion(commandVersion)
        .build();
  }

  private static SignedCommand sign(NodeIdentity by, RegistryCommand.Builder command) {
    return RegistryCommands.sign(CommandSigner.of(by), command);
  }

  private Optional<String> apply(NodeRegistry registry, SignedCommand command) {
    return registry.apply(command, ++index).map(CommandRefusal::reason);
  }

  private List<String> members() {
    return List.of(first.nodeId().value(), second.nodeId().value());
  }

  private RegistryCommand.Builder addOperator() {
    return RegistryCommand.newBuilder()
        .setAddOperator(Operator.newBuilder().setNodeId(second.nodeId().value()).setName("b"));
  }

  @BeforeEach
  void bootstrap() {
    first = identity("first");
    operator = identity("operator");
    second = identity("second");
    leader = new NodeRegistry(true, NEWER, 0);
    assertThat(
            apply(
                leader,
                sign(
                    first,
                    RegistryCommand.newBuilder()
                        .setBootstrap(
                            Bootstrap.newBuilder()
                                .addOperators(
                                    Operator.newBuilder().setNodeId(operator.nodeId().value()))
                                .setNode(record(first, 2))))))
        .isEmpty();
    assertThat(
            apply(
                leader,
                sign(
                    operator,
                    RegistryCommand.newBuilder()
                        .setAdmit(Admission.newBuilder().setNodeId(second.nodeId().value())))))
        .isEmpty();
  }

  @Test
  void version1IsEveryKindOfBeforeTheClusterStrategyVersion2AddsSetStrategyAnd3GuardStrategy() {
    CommandVersions build = CommandVersions.build();

    assertThat(build.highest()).isEqualTo(3);
    for (CommandCase kind : CommandCase.values()) {
      if (kind != CommandCase.COMMAND_NOT_SET) {
        assertThat(CommandVersions.introducedIn(kind))
            .as(kind.name())
            .isEqualTo(
                switch (kind) {
                  case SET_STRATEGY -> 2;
                  case GUARD_STRATEGY -> 3;
                  default -> 1;
                });
      }
    }
    assertThat(build.required(addOperator().build())).hasValue(1);
    assertThat(NEWER.highest()).isEqualTo(3);
  }

  @Test
  void aMemberWithoutARecordOrFromBeforeVersionsCountsAsVersion1() {
    assertThat(leader.clusterVersion(List.of(first.nodeId().value()))).isEqualTo(2);
    assertThat(leader.clusterVersion(members())).isEqualTo(1);

    apply(leader, sign(second, RegistryCommand.newBuilder().setJoin(join(second, 0))));

    assertThat(leader.clusterVersion(members())).isEqualTo(1);
  }

  @Test
  void aNewerCommandIsRefusedWhileAMemberReportsAnOlderVersionAndAcceptedOnceAllReportIt() {
    SignedCommand add = sign(operator, addOperator());

    assertThat(leader.check(add, Instant.now(), members()))
        .hasValueSatisfying(
            r -> {
              assertThat(r.reason()).isEqualTo("cluster_version");
              assertThat(r.message())
                  .contains("add_operator command needs command-set version 2")
                  .contains("cluster runs version 1")
                  .contains(second.nodeId().value() + " (no record yet");
            });

    // The old build joins: its record reports version 1.
    assertThat(apply(leader, sign(second, RegistryCommand.newBuilder().setJoin(join(second, 1)))))
        .isEmpty();
    assertThat(leader.check(add, Instant.now(), members()))
        .map(CommandRefusal::message)
        .hasValueSatisfying(m -> assertThat(m).contains("member " + second.nodeId().value()));
    // Commands of version 1 still go through meanwhile.
    assertThat(
            leader.check(
                sign(second, RegistryCommand.newBuilder().setUpsert(record(second, 1))),
                Instant.now(),
                members()))
        .isEmpty();

    // Upgraded, it registers again with its new version.
    assertThat(
            apply(leader, sign(second, RegistryCommand.newBuilder().setUpsert(record(second, 2)))))
        .isEmpty();
    assertThat(leader.clusterVersion(members())).isEqualTo(2);
    assertThat(leader.check(add, Instant.now(), members())).isEmpty();
    assertThat(apply(leader, add)).isEmpty();
    assertThat(leader.isOperator(second.nodeId())).isTrue();
  }

  @Test
  void aLeaderHeldBackToAnOlderVersionRefusesTheNewerCommandItself() {
    NodeRegistry held = new NodeRegistry(true, NEWER, 1);
    held.restore(leader.snapshot());

    assertThat(held.commandVersion()).isEqualTo(1);
    assertThat(held.check(sign(operator, addOperator()), Instant.now(), List.of()))
        .map(CommandRefusal::message)
        .hasValueSatisfying(m -> assertThat(m).contains("version of this node (the leader)"));
  }

  @Test
  void aCommandBeyondThisNodesVersionStopsApplicationInsteadOfBeingSkipped() {
    NodeRegistry old = new NodeRegistry(true, NEWER, 1);
    old.restore(leader.snapshot());
    var before = old.snapshot();
    long at = ++index;

    assertThatThrownBy(() -> old.apply(sign(operator, addOperator()), at))
        .isInstanceOfSatisfying(
            UnknownCommandException.class, e -> assertThat(e.index()).isEqualTo(at))
        .hasMessageContaining("Raft log index " + at)
        .hasMessageContaining("add_operator (command-set version 2)")
        .hasMessageContaining("upgrade this node");
    assertThat(old.snapshot()).isEqualTo(before);
    assertThat(old.skipped()).isZero();
  }

  @Test
  void aCommandOfAKindThisBuildDoesNotKnowStopsApplicationAndIsNeverProposed() {
    NodeRegistry registry = new NodeRegistry(true);
    registry.restore(leader.snapshot());
    var before = registry.snapshot();
    // What a newer build's command looks like here: a oneof field this build has no name for.
    RegistryCommand.Builder unknown =
        RegistryCommand.newBuilder()
            .setUnknownFields(
                UnknownFieldSet.newBuilder()
                    .addField(
                        99,
                        UnknownFieldSet.Field.newBuilder()
                            .addLengthDelimited(ByteString.copyFromUtf8("strategy"))
                            .build())
                    .build());
    SignedCommand signed = sign(operator, unknown);
    assertThat(RegistryCommands.command(signed).getCommandCase())
        .isEqualTo(CommandCase.COMMAND_NOT_SET);

    assertThatThrownBy(() -> registry.apply(signed, 42))
        .isInstanceOf(UnknownCommandException.class)
        .hasMessageContaining("index 42 is unknown to this build (fields [99])")
        .hasMessageContaining("stopped applying");
    assertThat(registry.snapshot()).isEqualTo(before);
    assertThat(registry.check(signed, Instant.now(), members()))
        .map(CommandRefusal::reason)
        .contains("unknown_command");
    // An empty command is still only refused, the same way by every version.
    assertThat(registry.apply(sign(operator, RegistryCommand.newBuilder()), 43))
        .map(CommandRefusal::reason)
        .contains("invalid");
  }

  @Test
  void aVersionAboveTheBuildsHighestIsRefused() {
    assertThatThrownBy(() -> new NodeRegistry(true, CommandVersions.build(), 4))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "blixard.cluster.command-version: 4 (expected: 0 for this build's highest, or 1 to"
                + " 3)");
  }

  private static Join join(NodeIdentity node, int commandVersion) {
    return Join.newBuilder().setNode(record(node, commandVersion)).build();
  }
}
