package io.blixard.support;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Runs Prometheus's own {@code promtool check metrics} on an exposition, so the text is parsed as
 * Prometheus parses it, {@code promtool check config} on a Prometheus configuration, and {@code
 * promtool check rules} and {@code test rules} on a rules file and its unit tests. CI installs
 * promtool (.ci/run); elsewhere the check is skipped when the tool is missing, except under CI
 * where a missing tool fails.
 */
public final class Promtool {

  private Promtool() {}

  public static void assertValid(String exposition) throws Exception {
    String path = require();
    Process process =
        new ProcessBuilder(path, "check", "metrics").redirectErrorStream(true).start();
    try (var in = process.getOutputStream()) {
      in.write(exposition.getBytes(StandardCharsets.UTF_8));
    }
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("promtool check metrics said: %s", output).isZero();
  }

  /** Checks a Prometheus server configuration file as Prometheus would load it. */
  public static void assertValidConfig(Path file) throws Exception {
    String path = require();
    Process process =
        new ProcessBuilder(path, "check", "config", "--syntax-only", file.toString())
            .redirectErrorStream(true)
            .start();
    process.getOutputStream().close();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("promtool check config said: %s", output).isZero();
  }

  /** Checks a file of alerting and recording rules as Prometheus would load it. */
  public static void assertValidRules(Path file) throws Exception {
    String path = require();
    Process process =
        new ProcessBuilder(path, "check", "rules", file.toString())
            .redirectErrorStream(true)
            .start();
    process.getOutputStream().close();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("promtool check rules said: %s", output).isZero();
  }

  /**
   * Runs the unit tests of rules ({@code promtool test rules}): alerts fire on the given series at
   * the given times with the given labels and annotations, and no others.
   */
  public static void assertRulesTestsPass(Path testFile) throws Exception {
    String path = require();
    Process process =
        new ProcessBuilder(path, "test", "rules", testFile.getFileName().toString())
            .directory(testFile.getParent().toFile())
            .redirectErrorStream(true)
            .start();
    process.getOutputStream().close();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.exitValue()).as("promtool test rules said: %s", output).isZero();
  }

  private static String require() {
    String path = find();
    if (path == null) {
      assertThat(System.getenv("CI")).as("promtool must be installed in CI (see .ci/run)").isNull();
      assumeTrue(false, "promtool is not installed; install the Debian package prometheus");
    }
    return path;
  }

  private static String find() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(File.pathSeparator)) {
      File candidate = new File(dir, "promtool");
      if (candidate.canExecute()) {
        return candidate.getPath();
      }
    }
    return null;
  }
}
