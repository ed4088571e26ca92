package io.blixard.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.node.DataDirectory;
import io.blixard.node.NodeProperties;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

class StorageHealthCheckTest {

  @TempDir Path parent;

  private Path tmp;

  @BeforeEach
  void createDataDirectory() {
    tmp = parent.resolve("data");
  }

  private StorageHealthCheck check(DataSize threshold) {
    return new StorageHealthCheck(
        DataDirectory.open(tmp), new NodeProperties(tmp, "127.0.0.1", threshold));
  }

  @Test
  void shouldBeUpWithRealReadingsWhenFreeSpaceIsAboveTheThreshold() throws Exception {
    CheckResult result = check(DataSize.ofBytes(1)).check();

    assertThat(result.name()).isEqualTo("storage");
    assertThat(result.status()).isEqualTo(HealthStatus.UP);
    assertThat(result.detail()).contains(tmp.toString()).contains("writable");
    assertThat(result.attributes())
        .containsEntry("path", tmp.toString())
        .containsEntry("threshold_bytes", "1");
    long free = Long.parseLong(result.attributes().get("free_bytes"));
    long total = Long.parseLong(result.attributes().get("total_bytes"));
    assertThat(free).isPositive();
    assertThat(total).isPositive().isGreaterThanOrEqualTo(free);
    assertThat(total).isEqualTo(Files.getFileStore(tmp).getTotalSpace());
  }

  @Test
  void shouldLeaveNoProbeBehind() throws Exception {
    check(DataSize.ofBytes(1)).check();

    try (var entries = Files.list(tmp)) {
      assertThat(entries).isEmpty();
    }
  }

  @Test
  void shouldBeDownNamingTheThresholdWhenItIsLargerThanTheDisk() {
    DataSize threshold = DataSize.ofTerabytes(1000);

    CheckResult result = check(threshold).check();

    assertThat(result.status()).isEqualTo(HealthStatus.DOWN);
    assertThat(result.detail())
        .contains("below the threshold of " + threshold.toMegabytes() + " MB")
        .contains(tmp.toString());
    assertThat(result.attributes())
        .containsEntry("threshold_bytes", Long.toString(threshold.toBytes()))
        .containsKeys("free_bytes", "total_bytes");
  }

  @Test
  void shouldBeDownWhenTheDataDirectoryHasGone() throws Exception {
    StorageHealthCheck check = check(DataSize.ofBytes(1));
    Files.delete(tmp);

    CheckResult result = check.check();

    assertThat(result.status()).isEqualTo(HealthStatus.DOWN);
    assertThat(result.detail()).contains(tmp.toString()).contains("cannot be written and read");
  }
}
