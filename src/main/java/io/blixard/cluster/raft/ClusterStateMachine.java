package io.blixard.cluster.raft;

import io.blixard.cluster.CommittedState;
import io.blixard.cluster.registry.CommandRefusal;
import io.blixard.cluster.registry.NodeRegistry;
import io.blixard.cluster.registry.UnknownCommandException;
import io.blixard.proto.cluster.v1.RegistrySnapshot;
import io.blixard.proto.cluster.v1.SignedCommand;
import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.ratis.proto.RaftProtos.LogEntryProto;
import org.apache.ratis.proto.RaftProtos.RaftPeerRole;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftGroupMemberId;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.server.RaftConfiguration;
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
import org.apache.ratis.util.LifeCycle;
import org.apache.ratis.util.MD5FileUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The Raft state machine: applies committed {@link SignedCommand}s to the {@link NodeRegistry} in
 * log order, and keeps its snapshots as a {@link RegistrySnapshot} file in Ratis's state machine
 * directory. On the leader, {@link #startTransaction} asks the registry whether a command may enter
 * the log at all and refuses it with the registry's one-line reason; on every node, apply asks
 * again and skips what the state at that index refuses. A committed command of a kind this node's
 * command-set version does not have is never skipped: applying stops there, loudly, and Ratis
 * closes this node's Raft server (see {@link UnknownCommandException}). Only the Ratis plumbing is
 * here; what a command does and who may send it is the registry's business.
 */
final class ClusterStateMachine extends BaseStateMachine {

  private static final Logger log = LoggerFactory.getLogger(ClusterStateMachine.class);

  private final SimpleStateMachineStorage storage = new SimpleStateMachineStorage();
  private final NodeRegistry registry;
  private final Consumer<RaftPeerId> onLeaderChange;
  private final BiConsumer<String, String> refusals;
  // Guarded by "this": the command this node cannot apply, once it met one.
  private UnknownCommandException stoppedAt;

  /**
   * @param refusals counts a refusal: where ({@code start} on the leader, {@code apply}) and the
   *     reason
   */
  ClusterStateMachine(
      NodeRegistry registry,
      Consumer<RaftPeerId> onLeaderChange,
      BiConsumer<String, String> refusals) {
    this.registry = registry;
    this.onLeaderChange = onLeaderChange;
    this.refusals = refusals;
  }

  /** The marker a refusal's text carries through Ratis's exception, so the proposer can read it. */
  private static final Pattern REFUSAL = Pattern.compile("\\[refused:([a-z_]+)\\] ([^\\n]*)");

  /** The refusal a Raft reply's exception message carries, if it is one of ours. */
  static Optional<CommandRefusal> refusalIn(String message) {
    if (message == null) {
      return Optional.empty();
    }
    Matcher m = REFUSAL.matcher(message);
    return m.find() ? Optional.of(new CommandRefusal(m.group(1), m.group(2))) : Optional.empty();
  }

  @Override
  public TransactionContext startTransaction(RaftClientRequest request) throws IOException {
    TransactionContext context = super.startTransaction(request);
    Optional<CommandRefusal> refusal;
    try {
      SignedCommand signed =
          SignedCommand.parseFrom(request.getMessage().getContent().toByteArray());
      refusal = registry.check(signed, Instant.now(), members());
    } catch (IOException e) {
      refusal =
          Optional.of(
              new CommandRefusal(
                  "invalid",
                  "the Raft entry is not a blixard.cluster.v1.SignedCommand (expected: a command"
                      + " signed by its submitter)"));
    }
    if (refusal.isPresent()) {
      refusals.accept("start", refusal.get().reason());
      log.info(
          "Refused a registry command from Raft client {}: {}",
          request.getClientId(),
          refusal.get());
      context.setException(new RefusedCommand(refusal.get()));
    }
    return context;
  }

  /**
   * The node ids of every peer that applies the log: voters and listeners, of the current and, in a
   * configuration change, the previous configuration.
   */
  private List<String> members() throws IOException {
    RaftConfiguration conf = getServer().join().getDivision(getGroupId()).getRaftConf();
    return Stream.of(RaftPeerRole.FOLLOWER, RaftPeerRole.LISTENER)
        .flatMap(role -> conf.getAllPeers(role).stream())
        .map(peer -> peer.getId().toString())
        .distinct()
        .toList();
  }

  /** A command the registry refused; its message is the marker {@link #refusalIn} reads. */
  static final class RefusedCommand extends IOException {
    RefusedCommand(CommandRefusal refusal) {
      super("[refused:" + refusal.reason() + "] " + refusal.message());
    }

    @Override
    public synchronized Throwable fillInStackTrace() {
      return this;
    }
  }

  @Override
  public void initialize(RaftServer server, RaftGroupId groupId, RaftStorage raftStorage)
      throws IOException {
    super.initialize(server, groupId, raftStorage);
    getLifeCycle()
        .startAndTransition(
            () -> {
              storage.init(raftStorage);
              load(storage.getLatestSnapshot());
            });
  }

  /**
   * Ratis pauses the state machine before it installs a leader's snapshot here (a follower whose
   * log is behind the leader's first entry, as a node joining a restored group is) and asserts that
   * it paused before it reloads: the default does nothing, and the install would fail.
   */
  @Override
  public synchronized void pause() {
    if (getLifeCycle().getCurrentState() == LifeCycle.State.RUNNING) {
      getLifeCycle().transition(LifeCycle.State.PAUSING);
      getLifeCycle().transition(LifeCycle.State.PAUSED);
    }
  }

  /** Loads the snapshot Ratis installed, then runs again. */
  @Override
  public synchronized void reinitialize() throws IOException {
    load(storage.loadLatestSnapshot());
    if (getLifeCycle().getCurrentState() == LifeCycle.State.PAUSED) {
      getLifeCycle().transition(LifeCycle.State.STARTING);
      getLifeCycle().transition(LifeCycle.State.RUNNING);
    }
  }

  @Override
  public StateMachineStorage getStateMachineStorage() {
    return storage;
  }

  @Override
  public CompletableFuture<Message> applyTransaction(TransactionContext trx) {
    LogEntryProto entry = trx.getLogEntry();
    SignedCommand command;
    try {
      command = SignedCommand.parseFrom(entry.getStateMachineLogEntry().getLogData().toByteArray());
    } catch (IOException e) {
      // An entry that does not parse was written by a newer or broken node: skip it, keep going.
      log.error("Skipping log entry {} that is not a signed registry command", entry.getIndex(), e);
      updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
      return CompletableFuture.failedFuture(e);
    }
    Optional<CommandRefusal> skipped;
    // The lock makes the registry and the applied index move together, as snapshots read them.
    synchronized (this) {
      if (stoppedAt != null) {
        throw stoppedAt;
      }
      try {
        skipped = registry.apply(command, entry.getIndex());
      } catch (UnknownCommandException e) {
        // Skipping it would make this node's registry differ from its peers' for good. Thrown, it
        // stops Ratis's applier (which closes this Raft server) before the applied index moves, so
        // every start replays up to here and stops again until the node runs a newer build.
        stoppedAt = e;
        refusals.accept("apply", "unknown_command");
        log.error("Stopped applying the Raft log: {}", e.getMessage());
        throw e;
      }
      updateLastAppliedTermIndex(entry.getTerm(), entry.getIndex());
    }
    if (skipped.isPresent()) {
      refusals.accept("apply", skipped.get().reason());
      log.warn("Skipped registry command at index {}: {}", entry.getIndex(), skipped.get());
      return CompletableFuture.completedFuture(
          Message.valueOf("[refused:" + skipped.get().reason() + "] " + skipped.get().message()));
    }
    return CompletableFuture.completedFuture(Message.valueOf("applied " + entry.getIndex()));
  }

  /** The registry and the entry last applied to it, read together, as a snapshot reads them. */
  synchronized Optional<CommittedState> committed() {
    TermIndex last = getLastAppliedTermIndex();
    if (last == null || last.getIndex() < 0) {
      return Optional.empty();
    }
    return Optional.of(
        new CommittedState(
            getGroupId().getUuid().toString(),
            last.getIndex(),
            last.getTerm(),
            registry.snapshot()));
  }

  /** Whether this node met a command its version does not have, and stopped applying the log. */
  synchronized boolean stopped() {
    return stoppedAt != null;
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
