package io.blixard;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.FileSystemUtils;

/**
 * A node whose start fails on a known cause, as the built jar (run by failsafe after {@code
 * package}): the process ends with a non-zero code and the cause on one line, without a stack
 * trace, instead of staying up with Ratis's threads and no listeners.
 */
@Timeout(300)
class StartupFailureProcessIntegrationTest {

  private static final Duration LIMIT = Duration.ofSeconds(120);

  @TempDir Path dir;
  private Process node;

  @AfterEach
  void stop() throws InterruptedException {
    if (node != null && node.isAlive()) {
      node.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aDamagedRaftLogEndsTheProcessWithACodeAndOneLine() throws Exception {
    Path data = dir.resolve("data");
    // Twice, so that the first log segment is closed.
    startAndStop(data, dir.resolve("first.log"));
    startAndStop(data, dir.resolve("second.log"));
    RaftLogs.corruptAClosedSegment(data);

    Path log = dir.resolve("third.log");
    node = start(data, log);

    assertThat(node.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS))
        .as("the process ended: %s", tail(log))
        .isTrue();
    assertThat(node.exitValue()).isEqualTo(1);
    String output = Files.readString(log);
    assertThat(output)
        .contains("cannot recover the Raft state in " + data.resolve("raft"))
        .contains("ChecksumException")
        .contains("The Raft log or snapshot is damaged")
        .doesNotContain("\tat org.apache.ratis");
  }

  @Test
  void aLostIdentityEndsTheProcessWithACodeAndTheWayToRecover() throws Exception {
    Path data = dir.resolve("data");
    startAndStop(data, dir.resolve("first.log"));
    String nodeId = Files.readString(data.resolve("node-id")).trim();
    FileSystemUtils.deleteRecursively(data.resolve("identity"));

    Path log = dir.resolve("second.log");
    node = start(data, log);

    assertThat(node.waitFor(LIMIT.toSeconds(), TimeUnit.SECONDS))
        .as("the process ended: %s", tail(log))
        .isTrue();
    assertThat(node.exitValue()).isEqualTo(1);
    assertThat(Files.readString(log))
        .contains("holds the Raft state of node " + nodeId + " but not its identity")
        .contains("Restore " + data.resolve("identity") + " from a backup")
        .doesNotContain("\tat ");
    assertThat(data.resolve("identity")).doesNotExist();
  }

  private void startAndStop(Path data, Path log) throws Exception {
    Process started = start(data, log);
    try {
      Instant deadline = Instant.now().plus(LIMIT);
      // Started, and its registry write committed: the log then has entries past the first.
      while (!started(Files.readString(log))) {
        assertThat(started.isAlive()).as("node running: %s", tail(log)).isTrue();
        assertThat(Instant.now()).as("node started: %s", tail(log)).isBefore(deadline);
        Thread.sleep(250);
      }
    } finally {
      started.destroy();
      assertThat(started.waitFor(60, TimeUnit.SECONDS)).as("stopped on SIGTERM").isTrue();
    }
  }

  private static boolean started(String log) {
    return log.contains("Started BlixardApplication")
        && (log.contains("Registered node") || log.contains("Bootstrapped the cluster"));
  }

  private static Process start(Path data, Path log) throws IOException {
    Path jar = Path.of(System.getProperty("blixard.jar", "target/blixard.jar")).toAbsolutePath();
    assertThat(jar).as("the built jar (run this test with failsafe after package)").isReadable();
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-jar",
                jar.toString(),
                "--blixard.node.data-dir=" + data,
                "--blixard.cluster.raft.port=" + freeTcpPort(),
                "--blixard.cluster.raft.bind-address=127.0.0.1",
                "--blixard.transport.grpc.port=" + freeTcpPort(),
                "--blixard.transport.grpc.bind-address=127.0.0.1",
                "--blixard.transport.quic.port=" + freeUdpPort(),
                "--blixard.transport.quic.bind-address=127.0.0.1",
                "--server.address=127.0.0.1",
                "--server.port=" + freeTcpPort(),
                "--blixard.security.operator-dir=" + data.resolveSibling("operator")));
    ProcessBuilder builder =
        new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().remove("SPRING_PROFILES_ACTIVE");
    builder.environment().remove("BLIXARD_CLUSTER_JOIN");
    return builder.start();
  }

  private static String tail(Path log) throws IOException {
    String text = Files.exists(log) ? Files.readString(log) : "";
    return text.substring(Math.max(0, text.length() - 3000));
  }

  private static int freeTcpPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  private static int freeUdpPort() throws IOException {
    try (DatagramSocket socket = new DatagramSocket(0)) {
      return socket.getLocalPort();
    }
  }
}
