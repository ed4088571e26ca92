package io.blixard.vm;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The default guest image for the VM tests, built once per JVM by {@code
 * scripts/build-guest-image.sh target/guest}. CI installs QEMU, the kernel and busybox (.ci/run);
 * elsewhere the VM tests are skipped when they are missing, except under CI where that fails.
 */
final class GuestImage {

  static final Path DIR = Path.of("target", "guest").toAbsolutePath();

  private static boolean built;

  private GuestImage() {}

  static Path kernel() {
    build();
    return DIR.resolve("vmlinuz");
  }

  static Path initrd() {
    build();
    return DIR.resolve("initrd.img");
  }

  /** Skips the test (fails it under CI) when this machine has no QEMU. */
  static void requireQemu() {
    if (!onPath("qemu-system-x86_64")) {
      assertThat(System.getenv("CI")).as("QEMU must be installed in CI (see .ci/run)").isNull();
      assumeTrue(false, "qemu-system-x86_64 is not installed; install qemu-system-x86");
    }
  }

  private static synchronized void build() {
    requireQemu();
    if (built) {
      return;
    }
    try {
      Process process =
          new ProcessBuilder("scripts/build-guest-image.sh", DIR.toString())
              .redirectErrorStream(true)
              .start();
      process.getOutputStream().close();
      assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("image script finished").isTrue();
      String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (process.exitValue() != 0) {
        assertThat(System.getenv("CI")).as("the guest image builds in CI: %s", output).isNull();
        assumeTrue(false, "no guest image: " + output.strip());
      }
      assertThat(DIR.resolve("vmlinuz")).isRegularFile();
      assertThat(Files.size(DIR.resolve("initrd.img"))).isPositive();
      built = true;
    } catch (Exception e) {
      throw new IllegalStateException("building the guest image: " + e, e);
    }
  }

  private static boolean onPath(String binary) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      if (new File(dir, binary).canExecute()) {
        return true;
      }
    }
    return false;
  }
}
