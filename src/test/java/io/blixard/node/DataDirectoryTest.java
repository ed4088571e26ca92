package io.blixard.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;
import static org.assertj.core.api.Assertions.assertThatIllegalStateException;
import static org.assertj.core.api.Assumptions.assumeThat;

import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DataDirectoryTest {

  @TempDir Path tmp;

  @Test
  void shouldCreateMissingDirectories() {
    Path path = tmp.resolve("a/b/c");

    DataDirectory directory = DataDirectory.open(path);

    assertThat(path).isDirectory();
    assertThat(directory.root()).isEqualTo(path.toAbsolutePath().normalize());
    assertThat(directory).hasToString(directory.root().toString());
  }

  @Test
  void shouldLeaveNoProbeBehind() throws Exception {
    DataDirectory.open(tmp);

    try (var entries = Files.list(tmp)) {
      assertThat(entries).isEmpty();
    }
  }

  @Test
  void shouldOpenAnExistingDirectoryAgainWithItsContents() throws Exception {
    Files.writeString(tmp.resolve("keep"), "x");

    DataDirectory.open(tmp);
    DataDirectory.open(tmp);

    assertThat(tmp.resolve("keep")).hasContent("x");
  }

  @Test
  void shouldNormalizeTheRoot() {
    DataDirectory directory = DataDirectory.open(tmp.resolve("x/../y"));

    assertThat(directory.root()).isEqualTo(tmp.resolve("y").toAbsolutePath());
  }

  @Test
  void shouldCreateSubdirectories() {
    DataDirectory directory = DataDirectory.open(tmp);

    Path sub = directory.subdirectory("identity");

    assertThat(sub).isDirectory().isEqualTo(directory.root().resolve("identity"));
    assertThat(directory.subdirectory("identity")).isEqualTo(sub);
  }

  @Test
  void shouldRejectARegularFileNamingThePathAndWhatWasExpected() throws Exception {
    Path file = Files.writeString(tmp.resolve("file"), "not a directory");

    assertThatIllegalStateException()
        .isThrownBy(() -> DataDirectory.open(file))
        .withMessageContaining(file.toString())
        .withMessageContaining("expected");
  }

  @Test
  void shouldFailNamingThePathWhenTheDirectoryCannotBeCreated() throws Exception {
    // A path under a regular file cannot be created, even by root.
    Path file = Files.writeString(tmp.resolve("file"), "not a directory");
    Path path = file.resolve("sub");

    assertThatIllegalStateException()
        .isThrownBy(() -> DataDirectory.open(path))
        .withMessageContaining(path.toString())
        .withMessageContaining("cannot be created");
  }

  @Test
  void shouldFailNamingThePathWhenTheDirectoryIsNotWritable() throws Exception {
    Path dir = Files.createDirectory(tmp.resolve("read-only"));
    Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("r-x------"));
    try {
      assumeThat(Files.isWritable(dir)).as("this process ignores permissions (root)").isFalse();

      assertThatIllegalStateException()
          .isThrownBy(() -> DataDirectory.open(dir))
          .withMessageContaining(dir.toString())
          .withMessageContaining("not readable and writable");
    } finally {
      Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwx------"));
    }
  }

  @Test
  void shouldFailNamingTheSubdirectoryWhenItCannotBeCreated() throws Exception {
    DataDirectory directory = DataDirectory.open(tmp);
    Files.writeString(tmp.resolve("identity"), "a file in the way");

    assertThatExceptionOfType(UncheckedIOException.class)
        .isThrownBy(() -> directory.subdirectory("identity"))
        .withMessageContaining(tmp.resolve("identity").toString());
  }
}
