package io.blixard.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The node's data directory: created and checked once at start-up, then shared by every part. It
 * holds the node's identity ({@value #IDENTITY}/), its Raft state ({@value #RAFT}/) and the id of
 * the node that state belongs to ({@value #OWNER}), so that the state is never used under another
 * identity.
 */
public final class DataDirectory {

  /** Subdirectory of the node's key pair and certificate. */
  public static final String IDENTITY = "identity";

  /** Subdirectory of the Raft log, snapshots and metadata (Ratis's storage directory). */
  public static final String RAFT = "raft";

  /** File naming the node whose state this directory holds. */
  public static final String OWNER = "node-id";

  private final Path root;

  private DataDirectory(Path root) {
    this.root = root;
  }

  /**
   * Creates the directory if needed and proves it can be written and read.
   *
   * @throws IllegalStateException naming the path and what is wrong with it
   */
  public static DataDirectory open(Path path) {
    Path root = path.toAbsolutePath().normalize();
    if (Files.exists(root) && !Files.isDirectory(root)) {
      throw new IllegalStateException(
          "data directory " + root + " is not a directory (expected: a writable directory)");
    }
    try {
      Files.createDirectories(root);
    } catch (IOException e) {
      throw new IllegalStateException(
          "data directory " + root + " cannot be created: " + describe(e), e);
    }
    if (!Files.isReadable(root) || !Files.isWritable(root) || !Files.isExecutable(root)) {
      throw new IllegalStateException(
          "data directory " + root + " is not readable and writable by this process");
    }
    Path probe = root.resolve(".write-probe");
    try {
      Files.writeString(probe, "blixard");
      if (!"blixard".equals(Files.readString(probe))) {
        throw new IllegalStateException(
            "data directory " + root + " did not read back what was written to it");
      }
      Files.delete(probe);
    } catch (IOException e) {
      throw new IllegalStateException(
          "data directory " + root + " cannot be written and read: " + describe(e), e);
    }
    return new DataDirectory(root);
  }

  public Path root() {
    return root;
  }

  /** Whether the Raft subdirectory holds anything: a group this node was a member of. */
  public boolean holdsRaftState() {
    Path raft = root.resolve(RAFT);
    if (!Files.isDirectory(raft)) {
      return false;
    }
    try (Stream<Path> entries = Files.list(raft)) {
      return entries.findAny().isPresent();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + raft + ": " + describe(e), e);
    }
  }

  /** The node id written by {@link #claim}, if any. */
  public Optional<String> owner() {
    Path file = root.resolve(OWNER);
    try {
      return Files.exists(file) ? Optional.of(Files.readString(file).trim()) : Optional.empty();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + describe(e), e);
    }
  }

  /** Records that this directory's state belongs to {@code nodeId}. */
  void claim(NodeId nodeId) {
    writeAtomically(root.resolve(OWNER), nodeId.value() + "\n");
  }

  /**
   * Writes {@code text} to {@code file} so that a crash leaves either the old file or the whole new
   * one: a temporary sibling, flushed to the disk, then renamed over it.
   */
  static void writeAtomically(Path file, String text) {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try {
      Files.deleteIfExists(tmp);
      writeDurably(tmp, text);
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new IllegalStateException("cannot write " + file + ": " + describe(e), e);
    }
  }

  /** Writes {@code text} to {@code file} (created if missing) and flushes it to the disk. */
  static void writeDurably(Path file, String text) throws IOException {
    try (FileChannel channel =
        FileChannel.open(
            file,
            StandardOpenOption.CREATE,
            StandardOpenOption.WRITE,
            StandardOpenOption.TRUNCATE_EXISTING)) {
      channel.write(StandardCharsets.UTF_8.encode(text));
      channel.force(true);
    }
  }

  /** A subdirectory of the data directory, created if missing. */
  public Path subdirectory(String name) {
    Path dir = root.resolve(name);
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + describe(e), e);
    }
  }

  static String describe(IOException e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
