package io.blixard.cluster.raft;

import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.cluster.v1.RegistrySnapshot;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.protocol.TermIndex;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.server.storage.FileInfo;
import org.apache.ratis.server.storage.RaftStorage;
import org.apache.ratis.statemachine.StateMachineStorage;
import org.apache.ratis.statemachine.TransactionContext;
import org.apache.ratis.statemachine.impl.BaseStateMachine;
import org.apache.ratis.statemachine.impl.SimpleStateMachineStorage;
import org.apache.ratis.statemachine.impl.SingleFileSnapshotInfo;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft state machine: applies committed {@link RegistryCommand}s to the {@link NodeRegistry} in
 * log order, and keeps its snapshots as a {@link RegistrySnapshot} file in Ratis's state machine
 * directory. Only the Ratis plumbing is here; what a command does is the registry's business.
 */
final class ClusterStateMachine extends BaseStateMachine {

  private static final Logger log = LoggerFactory.getLogger(ClusterStateMachine.class);

  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final NodeRegistry registry;
  private final Consumer<RaftPeerId> onLeaderChange;

  ClusterStateMachine(NodeRegistry registry, Consumer<RaftPeerId> onLeaderChange) {
    this.registry = registry;
    this.onLeaderChange = onLeaderChange;
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    super.initialize(server, groupId, raftStorage);
    storage.init(raftStorage);
    load(storage.getLatestSnapshot());
  }

  @Override
  public void reinitialize() throws IOException {
    load(storage.loadLatestSnapshot());
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    RegistryCommand command;
    try {
      command =
          RegistryCommand.parseFrom(entry.getStateMachineLogEntry().getLogData().toByteArray());
    } catch (IOException e) {
      // An entry that does not parse was written by a newer or broken node: skip it, keep going.
      log.error("Skipping log entry {} that is not a registry command", entry.getIndex(), e);
      updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
      return CompletableFuture.failedFuture(e);
    }
    // The lock makes the registry and the applied index move together, as snapshots read them.
    synchronized (this) {
      registry.apply(command, entry.getIndex());
      updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    }
    return CompletableFuture.completedFuture(Message.valueOf("applied " + entry.getIndex()));
  }

  @Override
  public long takeSnapshot() throws IOException {
    RegistrySnapshot snapshot;
    TermIndex last;
    synchronized (this) {
      last = getLastAppliedTermIndex();
      snapshot = registry.snapshot();
    }
    if (last == null || last.getIndex() < 0) {
      return RaftLog.INVALID_LOG_INDEX;
    }
    File file = storage.getSnapshotFile(last.getTerm(), last.getIndex());
    File tmp = new File(file.getParentFile(), file.getName() + ".tmp");
    try (OutputStream out = Files.newOutputStream(tmp.toPath())) {
      snapshot.writeTo(out);
    }
    Files.move(tmp.toPath(), file.toPath(), StandardCopyOption.ATOMIC_MOVE);
    var md5 = MD5FileUtil.computeAndSaveMd5ForFile(file);
    storage.updateLatestSnapshot(
        new SingleFileSnapshotInfo(new FileInfo(file.toPath(), md5), last));
    log.debug("Registry snapshot of {} nodes at {}", snapshot.getNodesCount(), last);
    return last.getIndex();
  }

  private void load(SingleFileSnapshotInfo snapshot) throws IOException {
    if (snapshot == null) {
      return;
    }
    File file = snapshot.getFile().getPath().toFile();
    if (snapshot.hasMd5()) {
      MD5FileUtil.verifySavedMD5(file, snapshot.getFile().getFileDigest());
    }
    RegistrySnapshot loaded;
    try (InputStream in = Files.newInputStream(file.toPath())) {
      loaded = RegistrySnapshot.parseFrom(in);
    }
    synchronized (this) {
      registry.restore(loaded);
      setLastAppliedTermIndex(snapshot.getTermIndex());
    }
    log.info("Loaded registry snapshot of {} nodes at {}", loaded.getNodesCount(), snapshot);
  }

  @Override
  public void notifyLeaderChanged(RaftGroupMemberId groupMemberId, RaftPeerId newLeaderId) {
    onLeaderChange.accept(newLeaderId);
  }
}
