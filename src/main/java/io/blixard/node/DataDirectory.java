package io.blixard.node;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The node's data directory: created and checked once at start-up, then shared by every part. */
public final class DataDirectory {

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

  /** A subdirectory of the data directory, created if missing. */
  public Path subdirectory(String name) {
    Path dir = root.resolve(name);
    try {
      return Files.createDirectories(dir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + dir + ": " + describe(e), e);
    }
  }

  private static String describe(IOException e) {
    return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : " " + e.getMessage());
  }

  @Override
  public String toString() {
    return root.toString();
  }
}
