package io.blixard.cli;

import io.blixard.cluster.snapshot.NewGroups;
import io.blixard.cluster.snapshot.SnapshotFile;
import io.blixard.proto.cluster.v1.SaveSnapshotRequest;
import io.blixard.proto.cluster.v1.SnapshotChunk;
import io.blixard.proto.cluster.v1.SnapshotServiceGrpc;
import io.grpc.Channel;
import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Iterator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code blixard snapshot save|restore|status}: backups of the cluster's replicated state. */
@Command(
    name = "snapshot",
    mixinStandardHelpOptions = true,
    description =
        "Save the cluster's replicated state (the Raft state machine: members, operators,"
            + " admission, tokens, audit) from a running node to a file, check a file, or restore"
            + " one into a new data directory for a new group.",
    subcommands = {
      SnapshotCommand.Save.class,
      SnapshotCommand.Restore.class,
      SnapshotCommand.Status.class
    })
final class SnapshotCommand {

  @Command(
      name = "save",
      mixinStandardHelpOptions = true,
      description =
          "Save the node's state machine at the index it applied last to FILE (operators only)."
              + " Needs no quorum. FILE is written whole or not at all. Deadline 30s unless"
              + " --timeout says otherwise.")
  static final class Save extends BlixardCli.NodeCommand {
    @Parameters(paramLabel = "FILE", description = "Where to write the snapshot.")
    Path file;

    static final Duration DEFAULT_DEADLINE = Duration.ofSeconds(30);

    @Override
    void run(Channel channel) throws Exception {
      Duration deadline =
          spec.commandLine().getParseResult().hasMatchedOption("--timeout")
              ? options.timeout
              : DEFAULT_DEADLINE;
      Iterator<SnapshotChunk> chunks =
          SnapshotServiceGrpc.newBlockingStub(channel)
              .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS)
              .save(SaveSnapshotRequest.getDefaultInstance());
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      while (chunks.hasNext()) {
        chunks.next().getData().writeTo(bytes);
      }
      // Checked before it is written: a file that reaches the disk is one restore accepts.
      SnapshotFile snapshot = SnapshotFile.parse(bytes.toByteArray(), "the node's answer");
      snapshot.write(file);
      if (options.json) {
        out().println(Json.write(Summary.of(snapshot, file)));
        return;
      }
      out()
          .println(
              "saved snapshot of group "
                  + snapshot.groupId()
                  + " at index "
                  + snapshot.index()
                  + " (term "
                  + snapshot.term()
                  + ") to "
                  + file);
      print(out(), snapshot);
    }
  }

  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Check a snapshot file's checksum and say what it holds. Offline.")
  static final class Status implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The snapshot file.")
    Path file;

    @Option(names = "--json", description = "Print the answer as one JSON document.")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      SnapshotFile snapshot = SnapshotFile.read(file);
      PrintWriter out = spec.commandLine().getOut();
      if (json) {
        out.println(Json.write(Summary.of(snapshot, file)));
      } else {
        out.println("group          " + snapshot.groupId());
        out.println("index          " + snapshot.index());
        out.println("term           " + snapshot.term());
        out.println("taken by       " + snapshot.takenBy());
        out.println("taken at       " + snapshot.takenAt());
        print(out, snapshot);
      }
      out.flush();
      return BlixardCli.OK;
    }
  }

  @Command(
      name = "restore",
      mixinStandardHelpOptions = true,
      description = {
        "Create a data directory for a NEW Raft group whose state starts from FILE, with the node"
            + " to be started on it as the group's only voter; other nodes join it. Offline: no"
            + " node runs on DIR. The file's checksum is checked first; a damaged or foreign file"
            + " is refused.",
        "The registry keeps its operators, admissions, tokens and audit; the old members' records"
            + " are dropped (they are not members of the new group), and a node of the old group"
            + " must never be started again with its old data directory: wipe it and let it join"
            + " the new group. The node gets a new identity unless --identity-dir gives one."
      })
  static final class Restore implements Callable<Integer> {
    @Parameters(paramLabel = "FILE", description = "The snapshot file.")
    Path file;

    @Option(
        names = "--data-dir",
        required = true,
        paramLabel = "DIR",
        description = "The new node's data directory: must not exist, or be empty.")
    Path dataDir;

    @Option(
        names = "--identity-dir",
        paramLabel = "DIR",
        description =
            "Take this node identity (node.key, node.crt: a data directory's identity/) instead of"
                + " making a new one, e.g. to keep a replaced machine's node id.")
    Path identityDir;

    @Option(names = "--json", description = "Print the answer as one JSON document.")
    boolean json;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      SnapshotFile snapshot = SnapshotFile.read(file);
      quietStorageLogs();
      NewGroups.Result result =
          new NewGroups(Clock.systemUTC())
              .restore(snapshot, dataDir, Optional.ofNullable(identityDir));
      printNewGroup(spec.commandLine().getOut(), json, result, "restored");
      return BlixardCli.OK;
    }
  }

  /**
   * Keeps Ratis's own log lines out of an offline command's output (progress at INFO as it formats
   * a directory, a stack trace per attempt when a running node holds its lock): no logging
   * configuration is loaded without a node, so the defaults would print them. What went wrong is
   * the command's one line.
   */
  static void quietStorageLogs() {
    if (org.slf4j.LoggerFactory.getLogger("org.apache.ratis")
        instanceof ch.qos.logback.classic.Logger ratis) {
      ratis.setLevel(ch.qos.logback.classic.Level.OFF);
    }
  }

  /** What a new group's data directory holds, for restore and recover. */
  static void printNewGroup(PrintWriter out, boolean json, NewGroups.Result r, String verb) {
    if (json) {
      out.println(
          Json.write(
              new NewGroup(
                  r.dataDir().toString(),
                  r.nodeId().value(),
                  r.newIdentity(),
                  r.group().toString(),
                  r.from().groupId(),
                  r.from().index(),
                  r.removed(),
                  r.replaced().map(Path::toString).orElse(""))));
      out.flush();
      return;
    }
    out.println(
        verb
            + " group "
            + r.from().groupId()
            + " at index "
            + r.from().index()
            + " as new group "
            + r.group()
            + " in "
            + r.dataDir());
    out.println(
        "node           "
            + r.nodeId()
            + (r.newIdentity() ? " (new identity)" : "")
            + ", only voter");
    out.println("nodes kept     " + r.from().registry().getNodesCount() + " -> 1");
    out.println("operators      " + r.from().registry().getOperatorsCount());
    out.println("admissions     " + r.from().registry().getAdmissionsCount());
    out.println("join tokens    " + r.from().registry().getTokensCount());
    r.replaced()
        .ifPresent(p -> out.println("old group in   " + p + " (delete it once all is well)"));
    if (!r.removed().isEmpty()) {
      out.println(
          "Old members dropped: "
              + String.join(", ", r.removed().stream().map(Table::shortId).toList())
              + ". Wipe their data directories and let them join the new group.");
    }
    out.println("Start the node on " + r.dataDir() + "; it leads the new group alone.");
    out.flush();
  }

  private static void print(PrintWriter out, SnapshotFile s) {
    out.println("nodes          " + s.registry().getNodesCount());
    out.println("operators      " + s.registry().getOperatorsCount());
    out.println("admissions     " + s.registry().getAdmissionsCount());
    out.println("join tokens    " + s.registry().getTokensCount());
    out.println("audit entries  " + s.registry().getAuditCount());
    out.println("size           " + s.size() + " bytes");
    out.println("sha256         " + s.checksum());
  }

  /** A snapshot file, as --json prints it. */
  record Summary(
      String file,
      String groupId,
      long index,
      long term,
      String takenBy,
      String takenAt,
      int nodes,
      int operators,
      int admissions,
      int tokens,
      int auditEntries,
      int sizeBytes,
      String sha256) {
    static Summary of(SnapshotFile s, Path file) {
      return new Summary(
          file.toString(),
          s.groupId().toString(),
          s.index(),
          s.term(),
          s.takenBy(),
          s.takenAt().toString(),
          s.registry().getNodesCount(),
          s.registry().getOperatorsCount(),
          s.registry().getAdmissionsCount(),
          s.registry().getTokensCount(),
          s.registry().getAuditCount(),
          s.size(),
          s.checksum());
    }
  }

  /** A new group's data directory, as --json prints it. */
  record NewGroup(
      String dataDir,
      String nodeId,
      boolean newIdentity,
      String groupId,
      String fromGroupId,
      long fromIndex,
      List<String> removedMembers,
      String oldGroupMovedTo) {}
}
