package io.blixard.cluster.registry;

import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.cluster.v1.RegistryCommand.CommandCase;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The command-set version that introduced each kind of registry command, and the highest version
 * this build knows. A node applies a kind only when its own version is at least the kind's; the
 * leader proposes a kind only when every member's is (the cluster version, as etcd and CockroachDB
 * gate their features).
 *
 * <p>Version 1 is every kind from before versions existed: upsert, remove, bootstrap, join, admit,
 * revoke-admission, add-token, remove-token, add-operator, remove-operator; the builds before the
 * cluster-wide migration strategy apply exactly those. Version 2 adds set-strategy, version 3
 * guard-strategy (the canary guard's own changes). A new kind of command is a new field of the
 * {@code RegistryCommand} oneof and one line in {@link #introducedIn(CommandCase)} naming the next
 * version: the switch has no default, so a kind without its version does not compile.
 */
public final class CommandVersions {

  /** The version every build applies, the one a member without a record counts as. */
  public static final int FIRST = 1;

  private static final CommandVersions BUILD = new CommandVersions(Map.of());

  private final Map<CommandCase, Integer> versions = new EnumMap<>(CommandCase.class);
  private final int highest;

  private CommandVersions(Map<CommandCase, Integer> overrides) {
    int max = FIRST;
    for (CommandCase kind : CommandCase.values()) {
      if (kind == CommandCase.COMMAND_NOT_SET) {
        continue;
      }
      int v = overrides.getOrDefault(kind, introducedIn(kind));
      if (v < FIRST) {
        throw new IllegalArgumentException(
            "command " + name(kind) + ": version " + v + " (expected: >= " + FIRST + ")");
      }
      versions.put(kind, v);
      max = Math.max(max, v);
    }
    this.highest = max;
  }

  /** The versions this build declares. */
  public static CommandVersions build() {
    return BUILD;
  }

  /**
   * This build's table with some kinds declared at other versions: how a test stands for a build
   * that introduced one of today's kinds later, to drive the gate with real commands.
   */
  public static CommandVersions withOverrides(Map<CommandCase, Integer> overrides) {
    return new CommandVersions(Objects.requireNonNull(overrides, "overrides"));
  }

  /** The version that introduced {@code kind} in this build's command set. */
  static int introducedIn(CommandCase kind) {
    return switch (kind) {
      case UPSERT,
          REMOVE,
          BOOTSTRAP,
          JOIN,
          ADMIT,
          REVOKE_ADMISSION,
          ADD_TOKEN,
          REMOVE_TOKEN,
          ADD_OPERATOR,
          REMOVE_OPERATOR ->
          1;
      case SET_STRATEGY -> 2;
      case GUARD_STRATEGY -> 3;
      case COMMAND_NOT_SET -> throw new IllegalArgumentException("no command kind");
    };
  }

  /** The highest version this build applies: the highest that introduced one of its kinds. */
  public int highest() {
    return highest;
  }

  /**
   * The version {@code command} needs, or empty when this build does not know its kind (a field of
   * a newer build, kept by protobuf as an unknown field) or it carries none.
   */
  public OptionalInt required(RegistryCommand command) {
    Integer v = versions.get(command.getCommandCase());
    return v == null ? OptionalInt.empty() : OptionalInt.of(v);
  }

  /** A command kind as operators read it: {@code add_operator}. */
  public static String name(CommandCase kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }
}
