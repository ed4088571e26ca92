package io.blixard.health;

import io.blixard.node.DataDirectory;
import io.blixard.node.NodeProperties;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.util.unit.DataSize;

/**
 * UP when the data directory can be written and read back and its file system has more free space
 * than {@code blixard.node.min-free-disk-space}.
 */
@Component
@Order(2)
public class StorageHealthCheck implements NodeHealthCheck {

  private final DataDirectory dataDirectory;
  private final DataSize threshold;

  public StorageHealthCheck(DataDirectory dataDirectory, NodeProperties properties) {
    this.dataDirectory = dataDirectory;
    this.threshold = properties.minFreeDiskSpace();
  }

  @Override
  public String name() {
    return "storage";
  }

  @Override
  public CheckResult check() {
    Path root = dataDirectory.root();
    Map<String, String> attributes = new LinkedHashMap<>();
    attributes.put("path", root.toString());
    attributes.put("threshold_bytes", Long.toString(threshold.toBytes()));
    try {
      Path probe = Files.createTempFile(root, ".health-", ".probe");
      try {
        Files.writeString(probe, "ok");
        if (!"ok".equals(Files.readString(probe))) {
          return new CheckResult(
              name(), HealthStatus.DOWN, root + " did not read back what was written", attributes);
        }
      } finally {
        Files.deleteIfExists(probe);
      }
      FileStore store = Files.getFileStore(root);
      long free = store.getUsableSpace();
      long total = store.getTotalSpace();
      attributes.put("free_bytes", Long.toString(free));
      attributes.put("total_bytes", Long.toString(total));
      if (free < threshold.toBytes()) {
        return new CheckResult(
            name(),
            HealthStatus.DOWN,
            "free space "
                + DataSize.ofBytes(free).toMegabytes()
                + " MB on "
                + root
                + " is below the threshold of "
                + threshold.toMegabytes()
                + " MB",
            attributes);
      }
      return new CheckResult(
          name(),
          HealthStatus.UP,
          root + " is writable, " + DataSize.ofBytes(free).toMegabytes() + " MB free",
          attributes);
    } catch (IOException e) {
      return new CheckResult(
          name(), HealthStatus.DOWN, root + " cannot be written and read: " + e, attributes);
    }
  }
}
