package io.blixard.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.util.FileSystemUtils;

/**
 * Temporary data directories for nodes whose Spring context outlives a test class (the context
 * cache keeps it until the JVM ends), removed when the JVM exits.
 */
public final class TestDirectories {

  private TestDirectories() {}

  public static Path newDataDir(String prefix) {
    try {
      Path dir = Files.createTempDirectory(prefix);
      Runtime.getRuntime()
          .addShutdownHook(new Thread(() -> FileSystemUtils.deleteRecursively(dir.toFile())));
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
