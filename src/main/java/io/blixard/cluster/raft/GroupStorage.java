package io.blixard.cluster.raft;

import io.blixard.cluster.CommittedState;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.proto.cluster.v1.RegistrySnapshot;
import io.blixard.proto.cluster.v1.SignedCommand;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.raftlog.segmented.LogSegment;
import org.apache.ratis.server.raftlog.segmented.LogSegmentPath;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.server.storage.RaftStorageMetadata;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;
import org.apache.ratis.util.SizeInBytes;

/**
 * A Raft group's storage read and written while no server runs on it: what restoring a snapshot and
 * recovering from a lost quorum do to a stopped node's data directory. A new group's storage holds
 * no log, only a state machine snapshot at the saved index, so that the node started on it loads
 * that state and appends after it; the group's first configuration is the node itself (the seed
 * {@code RaftNode} gives a recovered group).
 */
public final class GroupStorage {

  /** Larger than any registry command; only guards against reading garbage as a length. */
  private static final SizeInBytes MAX_ENTRY = SizeInBytes.valueOf("64MB");

  private GroupStorage() {}

  /** The group whose directory is in {@code raftDir} (a data directory's {@code raft/}), if any. */
  public static Optional<UUID> group(Path raftDir) {
    return Files.isDirectory(raftDir)
        ? RaftServerSettings.existingGroup(raftDir).map(RaftGroupId::getUuid)
        : Optional.empty();
  }

  /**
   * Creates the storage of a new group {@code group} in {@code raftDir} whose state machine starts
   * from {@code registry} as of {@code index} and {@code term}.
   */
  public static void create(
      Path raftDir, UUID group, long index, long term, RegistrySnapshot registry) {
    File dir = raftDir.resolve(group.toString()).toFile();
    try (RaftStorage storage = open(dir, RaftStorage.StartupOption.FORMAT)) {
      // The group's first election must be for a term after the snapshot's: a leader of an earlier
      // term would append entries behind the state machine's last applied entry.
      storage
          .getMetadataFile()
          .persist(
              RaftStorageMetadata.valueOf(term, RaftStorageMetadata.getDefault().getVotedFor()));
      SimpleStateMachineStorage sm = new SimpleStateMachineStorage();
      sm.init(storage);
      File file = sm.getSnapshotFile(term, index);
      File tmp = new File(file.getParentFile(), file.getName() + ".tmp");
      try (OutputStream out = Files.newOutputStream(tmp.toPath())) {
        registry.writeTo(out);
      }
      Files.move(tmp.toPath(), file.toPath(), StandardCopyOption.ATOMIC_MOVE);
      MD5FileUtil.computeAndSaveMd5ForFile(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create the Raft storage of group " + group, e);
    }
  }

  /**
   * The state a stopped member's storage holds as of the last index it knew committed: its latest
   * state machine snapshot, then the committed log entries after it applied to {@code registry}
   * (empty, and configured as the node was: its security mode and command-set version), as the node
   * itself would apply them on its next start. Entries after that index are not used.
   *
   * @throws IllegalStateException when the storage is in use (the node runs) or unreadable
   */
  public static CommittedState readStopped(Path raftDir, NodeRegistry registry) {
    UUID group =
        group(raftDir)
            .orElseThrow(
                () -> new IllegalStateException(raftDir + " holds no Raft group (expected: one)"));
    File dir = raftDir.resolve(group.toString()).toFile();
    try (RaftStorage storage = open(dir, RaftStorage.StartupOption.RECOVER)) {
      SimpleStateMachineStorage sm = new SimpleStateMachineStorage();
      sm.init(storage);
      SingleFileSnapshotInfo snapshot = sm.getLatestSnapshot();
      long appliedIndex = -1;
      long appliedTerm = 0;
      if (snapshot != null) {
        File file = snapshot.getFile().getPath().toFile();
        if (snapshot.hasMd5()) {
          MD5FileUtil.verifySavedMD5(file, snapshot.getFile().getFileDigest());
        }
        try (InputStream in = Files.newInputStream(file.toPath())) {
          registry.restore(RegistrySnapshot.parseFrom(in));
        }
        appliedIndex = snapshot.getIndex();
        appliedTerm = snapshot.getTerm();
      }
      List<LogEntryProto> entries = new ArrayList<>();
      long commit = appliedIndex;
      for (LogSegmentPath segment : LogSegmentPath.getLogSegmentPaths(storage)) {
        LogSegment.readSegmentFile(
            segment.getPath().toFile(),
            segment.getStartEnd(),
            MAX_ENTRY,
            RaftServerConfigKeys.Log.CorruptionPolicy.WARN_AND_RETURN,
            null,
            entries::add);
      }
      for (LogEntryProto entry : entries) {
        if (entry.hasMetadataEntry()) {
          commit = Math.max(commit, entry.getMetadataEntry().getCommitIndex());
        }
      }
      for (LogEntryProto entry : entries) {
        if (entry.getIndex() <= appliedIndex || entry.getIndex() > commit) {
          continue;
        }
        if (entry.hasStateMachineLogEntry()) {
          SignedCommand command;
          try {
            command =
                SignedCommand.parseFrom(entry.getStateMachineLogEntry().getLogData().toByteArray());
          } catch (IOException notACommand) {
            // The running node skips such an entry too (ClusterStateMachine).
            command = null;
          }
          if (command != null) {
            registry.apply(command, entry.getIndex());
          }
        }
        appliedIndex = entry.getIndex();
        appliedTerm = entry.getTerm();
      }
      if (appliedIndex < 0) {
        throw new IllegalStateException(
            "the Raft storage in " + dir + " holds no applied entry (expected: a member's state)");
      }
      return new CommittedState(group.toString(), appliedIndex, appliedTerm, registry.snapshot());
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot read the Raft storage in " + dir + ": " + e.getMessage(), e);
    }
  }

  /**
   * Checks that no server runs on the group in {@code raftDir}: Ratis locks a storage it uses.
   *
   * @throws IllegalStateException when it is in use or unreadable
   */
  public static void requireStopped(Path raftDir) {
    UUID group =
        group(raftDir)
            .orElseThrow(
                () -> new IllegalStateException(raftDir + " holds no Raft group (expected: one)"));
    File dir = raftDir.resolve(group.toString()).toFile();
    try (RaftStorage storage = open(dir, RaftStorage.StartupOption.RECOVER)) {
      // Opened and locked: nobody else has it.
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot open the Raft storage in " + dir + ": " + e.getMessage(), e);
    }
  }

  private static RaftStorage open(File dir, RaftStorage.StartupOption option) throws IOException {
    RaftStorage storage =
        RaftStorage.newBuilder()
            .setDirectory(dir)
            .setOption(option)
            .setLogCorruptionPolicy(RaftServerConfigKeys.Log.CorruptionPolicy.getDefault())
            .setStorageFreeSpaceMin(SizeInBytes.ZERO)
            .build();
    storage.initialize();
    return storage;
  }
}
