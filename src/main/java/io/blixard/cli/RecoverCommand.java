package io.blixard.cli;

import io.blixard.cluster.snapshot.NewGroups;
import io.blixard.cluster.snapshot.SnapshotFile;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code blixard cluster recover}: a new group from a surviving member when quorum is gone. */
@Command(
    name = "recover",
    mixinStandardHelpOptions = true,
    description = {
      "When a quorum of the group is lost for good: turn a stopped surviving member's data"
          + " directory into a NEW group with that member as its only voter, from the state the"
          + " member applied (or from --snapshot, saved from it). Offline: stop the node first."
          + " Other nodes then join it.",
      "RISK: entries the lost majority committed after the survivor's last applied index are"
          + " lost. Recover the member whose applied index is highest (blixard raft, applied"
          + " index). The other old members must never run with their old data directories again:"
          + " wipe them and let them join the new group. The old group's storage is moved to"
          + " DIR/replaced-group-<id>."
    })
final class RecoverCommand implements Callable<Integer> {

  @Option(
      names = "--data-dir",
      required = true,
      paramLabel = "DIR",
      description = "The stopped surviving member's data directory.")
  Path dataDir;

  @Option(
      names = "--snapshot",
      paramLabel = "FILE",
      description =
          "Start from this snapshot of the same group (blixard snapshot save on the survivor)"
              + " instead of the member's own storage.")
  Path snapshot;

  @Option(
      names = "--insecure",
      description =
          "The cluster ran with blixard.security.mode=insecure: replay its log without checking"
              + " signatures, as its nodes applied it.")
  boolean insecure;

  @Option(names = "--json", description = "Print the answer as one JSON document.")
  boolean json;

  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    Optional<SnapshotFile> file = Optional.ofNullable(snapshot).map(SnapshotFile::read);
    SnapshotCommand.quietStorageLogs();
    NewGroups.Result result = new NewGroups(Clock.systemUTC()).recover(dataDir, file, !insecure);
    SnapshotCommand.printNewGroup(spec.commandLine().getOut(), json, result, "recovered");
    return BlixardCli.OK;
  }
}
