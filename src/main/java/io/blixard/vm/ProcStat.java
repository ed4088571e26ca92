package io.blixard.vm;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * A process as Linux's {@code /proc/PID/stat} and {@code cmdline} describe it. A QEMU the node
 * re-attached to is not its child: once it exits it stays a zombie until its new parent reaps it,
 * and {@code kill(pid, 0)} still finds it; its state letter says it is gone.
 */
final class ProcStat {

  private ProcStat() {}

  /** Whether the process exists and is neither a zombie nor dead. */
  static boolean isRunning(long pid) {
    return state(pid).map(state -> state != 'Z' && state != 'X' && state != 'x').orElse(false);
  }

  /** The process's state letter (R, S, D, Z, ...). */
  static Optional<Character> state(long pid) {
    return field(pid, 0).map(state -> state.charAt(0));
  }

  /** The id of the process's session. */
  static Optional<Long> sessionId(long pid) {
    return field(pid, 3).map(Long::parseLong);
  }

  /** The process's command line, its arguments joined by spaces. */
  static Optional<String> commandLine(long pid) {
    try {
      byte[] bytes = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "cmdline"));
      return Optional.of(new String(bytes, StandardCharsets.UTF_8).replace('\0', ' ').strip());
    } catch (IOException e) {
      return Optional.empty();
    }
  }

  /** A field after the command name: 0 is the state, 1 the parent, 2 the group, 3 the session. */
  private static Optional<String> field(long pid, int index) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      // the command name is in parentheses and may itself hold spaces and parentheses
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return index < fields.length ? Optional.of(fields[index]) : Optional.empty();
    } catch (IOException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
