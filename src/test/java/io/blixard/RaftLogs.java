package io.blixard;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/** Damage done to a stopped node's Raft state, and what a failed start leaves running. */
final class RaftLogs {

  private RaftLogs() {}

  /**
   * Overwrites bytes in the middle of the first closed log segment ({@code log_FIRST-LAST}) of the
   * node's group, where an entry's checksum covers them. Returns the segment.
   */
  static Path corruptAClosedSegment(Path dataDir) throws IOException {
    Path segment;
    try (Stream<Path> files = Files.walk(dataDir.resolve("raft"))) {
      segment =
          files
              .filter(p -> p.getFileName().toString().matches("log_\\d+-\\d+"))
              .min(Comparator.comparing(Path::toString))
              .orElseThrow(
                  () -> new IllegalStateException("no closed segment in " + listing(dataDir)));
    }
    try (RandomAccessFile file = new RandomAccessFile(segment.toFile(), "rw")) {
      long length = file.length();
      for (long at = Math.min(16, length / 2); at < length - 4; at += 7) {
        file.seek(at);
        file.write(0x5a);
      }
    }
    return segment;
  }

  private static List<Path> listing(Path dataDir) {
    try (Stream<Path> files = Files.walk(dataDir.resolve("raft"))) {
      return files.toList();
    } catch (IOException e) {
      return List.of();
    }
  }

  /** Threads of Ratis that would keep the JVM running. */
  static List<String> liveNonDaemonRatisThreads(String nodeId) {
    // Other tests' nodes may run in this JVM: only the threads named after this node count.
    return Thread.getAllStackTraces().keySet().stream()
        .filter(Thread::isAlive)
        .filter(t -> !t.isDaemon())
        .map(Thread::getName)
        .filter(n -> n.contains(nodeId))
        .toList();
  }
}
