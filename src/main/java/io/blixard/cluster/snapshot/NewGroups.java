package io.blixard.cluster.snapshot;

import com.google.protobuf.ByteString;
import io.blixard.cluster.CommittedState;
import io.blixard.cluster.raft.GroupStorage;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.cluster.registry.UnknownCommandException;
import io.blixard.node.DataDirectory;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.node.StartupException;
import io.blixard.proto.cluster.v1.AuditEntry;
import io.blixard.proto.cluster.v1.NodeRecord;
import io.blixard.proto.cluster.v1.RegistrySnapshot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.springframework.util.FileSystemUtils;

/**
 * Writes a stopped node's data directory for a new Raft group whose state machine starts from a
 * saved state, with the node as the group's only voter: {@link #restore} from a snapshot file into
 * a new data directory (etcdutl's {@code snapshot restore}), {@link #recover} in a member's own
 * data directory from its own state (what etcd's {@code --force-new-cluster} does; Ratis has no
 * such option). In the new state the registry keeps its operators, admissions, tokens and audit; of
 * the node records only the new voter's stays (the old members are no longer members, so no longer
 * trusted); the audit gets an entry saying where the state came from. Either the whole new
 * directory appears or nothing changes.
 */
public final class NewGroups {

  /**
   * What was written.
   *
   * @param dataDir the node's data directory
   * @param nodeId the new group's only voter, the node to start on {@code dataDir}
   * @param newIdentity whether that identity was created here
   * @param group the new group
   * @param from the state it starts from
   * @param removed the old members whose records were dropped
   * @param replaced where the old group's storage was moved (recovery only)
   */
  public record Result(
      Path dataDir,
      NodeId nodeId,
      boolean newIdentity,
      UUID group,
      CommittedState from,
      List<String> removed,
      Optional<Path> replaced) {}

  private final Clock clock;

  public NewGroups(Clock clock) {
    this.clock = clock;
  }

  /**
   * Creates {@code dataDir} (absent or empty) for a new group starting from {@code snapshot}.
   *
   * @param identityDir a node identity to take ({@code node.key}, {@code node.crt}, as in another
   *     data directory's {@code identity/}); empty: a new identity is made
   * @throws SnapshotException when {@code dataDir} holds anything or the identity is unusable
   */
  public Result restore(SnapshotFile snapshot, Path dataDir, Optional<Path> identityDir) {
    Path target = dataDir.toAbsolutePath().normalize();
    if (Files.exists(target) && !isEmptyDirectory(target)) {
      throw new SnapshotException(
          "data directory "
              + target
              + " is not empty (expected: a new or empty directory; a restore never writes over a"
              + " node's state)");
    }
    Path staging = target.resolveSibling(target.getFileName() + ".restoring");
    try {
      FileSystemUtils.deleteRecursively(staging);
      DataDirectory directory = DataDirectory.open(staging);
      if (identityDir.isPresent()) {
        copyIdentity(identityDir.get(), staging.resolve(DataDirectory.IDENTITY));
      }
      NodeIdentity identity;
      try {
        identity = NodeIdentity.loadOrCreate(directory);
      } catch (IllegalStateException e) {
        throw new SnapshotException(e.getMessage());
      }
      UUID group = UUID.randomUUID();
      CommittedState from = snapshot.state();
      List<String> removed = removedMembers(from.registry(), identity.nodeId());
      GroupStorage.create(
          directory.subdirectory(DataDirectory.RAFT),
          group,
          from.index(),
          from.term(),
          forNewGroup(
              from, identity, group, "restore", "from a snapshot taken by " + snapshot.takenBy()));
      Files.deleteIfExists(target);
      Files.move(staging, target, StandardCopyOption.ATOMIC_MOVE);
      return new Result(
          target, identity.nodeId(), identityDir.isEmpty(), group, from, removed, Optional.empty());
    } catch (IOException e) {
      throw new SnapshotException("cannot create " + target + ": " + e.getMessage());
    } finally {
      try {
        FileSystemUtils.deleteRecursively(staging);
      } catch (IOException ignored) {
        // Left for the next attempt, which deletes it first.
      }
    }
  }

  /**
   * Replaces the group in a stopped member's {@code dataDir} by a new one with the node as its only
   * voter, starting from {@code state} (a snapshot of that group) or, when empty, from the state
   * the node's own storage holds at the last index it knew committed. The old group's storage is
   * moved aside, not deleted.
   *
   * @param enforce whether the node ran in secure mode, as its log is replayed the way it applied
   *     it
   */
  public Result recover(Path dataDir, Optional<SnapshotFile> state, boolean enforce) {
    Path root = dataDir.toAbsolutePath().normalize();
    if (!Files.isDirectory(root)) {
      throw new SnapshotException(
          "data directory " + root + " does not exist (expected: a stopped member's)");
    }
    DataDirectory directory = DataDirectory.open(root);
    if (!directory.holdsRaftState()) {
      throw new SnapshotException(
          "data directory " + root + " holds no Raft state (expected: a stopped member's)");
    }
    NodeIdentity identity;
    try {
      identity = NodeIdentity.loadOrCreate(directory);
    } catch (StartupException e) {
      throw new SnapshotException(e.getMessage());
    }
    Path raft = directory.subdirectory(DataDirectory.RAFT);
    UUID old;
    CommittedState from;
    try {
      old = GroupStorage.group(raft).orElseThrow();
      if (state.isEmpty()) {
        from = GroupStorage.readStopped(raft, new NodeRegistry(enforce));
      } else {
        GroupStorage.requireStopped(raft);
        if (!state.get().groupId().equals(old)) {
          throw new SnapshotException(
              "the snapshot is of group "
                  + state.get().groupId()
                  + " but "
                  + root
                  + " holds group "
                  + old
                  + " (expected: a snapshot this member's group took)");
        }
        from = state.get().state();
      }
    } catch (UnknownCommandException e) {
      // Its log holds a command of a newer build than this one: replay it with that build.
      throw new SnapshotException(e.getMessage());
    } catch (IllegalStateException e) {
      throw new SnapshotException(
          e.getMessage() + " (expected: the member's node stopped, its storage readable)");
    }
    UUID group = UUID.randomUUID();
    Path replaced = root.resolve("replaced-group-" + old);
    GroupStorage.create(
        raft,
        group,
        from.index(),
        from.term(),
        forNewGroup(from, identity, group, "recover", "recovered on " + identity.nodeId()));
    try {
      Files.move(raft.resolve(old.toString()), replaced, StandardCopyOption.ATOMIC_MOVE);
    } catch (IOException e) {
      throw new SnapshotException(
          "cannot move the old group's storage "
              + raft.resolve(old.toString())
              + " to "
              + replaced
              + ": "
              + e.getMessage()
              + " (move it out of "
              + raft
              + " by hand: the node refuses to start with two groups there)");
    }
    return new Result(
        root,
        identity.nodeId(),
        false,
        group,
        from,
        removedMembers(from.registry(), identity.nodeId()),
        Optional.of(replaced));
  }

  /**
   * The registry of the new group: the old one's, with only {@code identity}'s node record (added
   * when the snapshot did not have it, so that the node can register itself) and an audit entry.
   */
  RegistrySnapshot forNewGroup(
      CommittedState from, NodeIdentity identity, UUID group, String action, String how) {
    String self = identity.nodeId().value();
    long now = clock.millis();
    NodeRecord own =
        from.registry().getNodesList().stream()
            .filter(n -> n.getNodeId().equals(self))
            .findFirst()
            .orElseGet(
                () ->
                    NodeRecord.newBuilder()
                        .setNodeId(self)
                        .setPublicKey(
                            ByteString.copyFrom(identity.certificate().getPublicKey().getEncoded()))
                        .setJoinedAtMillis(now)
                        .setUpdatedAtMillis(now)
                        .build());
    List<String> removed = removedMembers(from.registry(), identity.nodeId());
    return from.registry().toBuilder()
        .clearNodes()
        .addNodes(own)
        .addAudit(
            AuditEntry.newBuilder()
                .setIndex(from.index())
                .setActor(self)
                .setAction(action)
                .setDetail(
                    "new group "
                        + group
                        + " "
                        + how
                        + " of group "
                        + from.groupId()
                        + " at index "
                        + from.index()
                        + (removed.isEmpty()
                            ? ""
                            : "; old members dropped: " + String.join(", ", removed)))
                .setAtMillis(now))
        .build();
  }

  private static List<String> removedMembers(RegistrySnapshot registry, NodeId self) {
    return registry.getNodesList().stream()
        .map(NodeRecord::getNodeId)
        .filter(id -> !id.equals(self.value()))
        .toList();
  }

  private static boolean isEmptyDirectory(Path dir) {
    if (!Files.isDirectory(dir)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.findAny().isEmpty();
    } catch (IOException e) {
      return false;
    }
  }

  private static void copyIdentity(Path from, Path to) throws IOException {
    Path key = from.resolve(NodeIdentity.KEY_FILE);
    Path certificate = from.resolve(NodeIdentity.CERTIFICATE_FILE);
    if (!Files.isRegularFile(key) || !Files.isRegularFile(certificate)) {
      throw new SnapshotException(
          "identity directory "
              + from
              + " has no "
              + NodeIdentity.KEY_FILE
              + " and "
              + NodeIdentity.CERTIFICATE_FILE
              + " (expected: a node's identity/ directory)");
    }
    Files.createDirectories(to);
    Files.copy(key, to.resolve(NodeIdentity.KEY_FILE), StandardCopyOption.COPY_ATTRIBUTES);
    Files.copy(
        certificate, to.resolve(NodeIdentity.CERTIFICATE_FILE), StandardCopyOption.COPY_ATTRIBUTES);
  }
}
