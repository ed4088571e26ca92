package io.blixard.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.awaitility.core.ConditionTimeoutException;
import org.awaitility.core.TerminalFailureException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The image's entrypoint and health check as real processes: the built jar (run by failsafe after
 * {@code package}) is split into its layers and laid out as the Dockerfile copies them, and
 * docker/entrypoint.sh starts it with the image's defaults, on free loopback ports and a temporary
 * data directory, as pod 0 of a StatefulSet; the node becomes ready, answers the command line
 * started through the same entrypoint over gRPC and QUIC, and stops on SIGTERM.
 */
@Timeout(240)
class EntrypointProcessIntegrationTest {

  private static final Path ENTRYPOINT = ApplicationConfig.ROOT.resolve("docker/entrypoint.sh");
  private static final Path HEALTHCHECK = ApplicationConfig.ROOT.resolve("docker/healthcheck.sh");
  private static final Duration START_LIMIT = Duration.ofSeconds(120);

  @TempDir Path dir;
  private Process node;

  @AfterEach
  void stop() throws InterruptedException {
    if (node != null) {
      // Should the script not exec the JVM, the JVM is its child: stop that too.
      node.descendants().forEach(ProcessHandle::destroyForcibly);
      if (node.isAlive()) {
        node.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void entrypointStartsAReadyNodeThatAnswersAndStopsOnSigterm() throws Exception {
    Path jar = Path.of(System.getProperty("blixard.jar", "target/blixard.jar")).toAbsolutePath();
    assertThat(jar).as("the built jar (run this test with failsafe after package)").isReadable();
    jar = imageLayout(jar, dir.resolve("opt/blixard"));
    ApplicationConfig config = ApplicationConfig.load();
    int raft = freeTcpPort();
    int grpc = freeTcpPort();
    int http = freeTcpPort();
    int quic = freeUdpPort();
    Path dataDir = dir.resolve("data");
    Path log = dir.resolve("node.log");

    ProcessBuilder builder =
        new ProcessBuilder(
                "/bin/sh",
                ENTRYPOINT.toString(),
                "--blixard.cluster.raft.port=" + raft,
                "--blixard.cluster.raft.bind-address=127.0.0.1",
                "--blixard.transport.grpc.port=" + grpc,
                "--blixard.transport.grpc.bind-address=127.0.0.1",
                "--blixard.transport.quic.port=" + quic,
                "--blixard.transport.quic.bind-address=127.0.0.1",
                "--server.address=127.0.0.1")
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    Map<String, String> env = builder.environment();
    env.remove("SPRING_PROFILES_ACTIVE");
    env.remove("BLIXARD_CLUSTER_JOIN");
    env.put("BLIXARD_JAR", jar.toString());
    env.put("BLIXARD_DATA_DIR", dataDir.toString());
    env.put("BLIXARD_ADVERTISE_HOST", "127.0.0.1");
    // As a container is told: the operator whose command line asks it below.
    env.put(
        "BLIXARD_SECURITY_OPERATORS", io.blixard.support.TestOperator.identity().nodeId().value());
    env.put("SERVER_PORT", String.valueOf(http));
    env.put("JAVA_OPTS", "-Xmx256m -XX:TieredStopAtLevel=1");
    // Pod 0 of a StatefulSet bootstraps even though a seed is named.
    env.put("HOSTNAME", "blix-blixard-0");
    env.put("BLIXARD_SEED", "127.0.0.1:" + freeTcpPort());
    node = builder.start();

    String readiness = config.actuatorPath("health") + "/readiness";
    awaitUp(http, readiness, log);

    // The shell replaced itself with the JVM, so the container's stop signal reaches the node.
    assertThat(ProcessHandle.of(node.pid()).flatMap(h -> h.info().command()))
        .hasValueSatisfying(command -> assertThat(command).endsWith("/java"));
    // The cluster profile (the entrypoint's default) put the node's state into BLIXARD_DATA_DIR.
    assertThat(dataDir.resolve("identity")).isDirectory();
    assertThat(dataDir.resolve("raft")).isDirectory();

    Map<String, String> healthEnv = Map.of("SERVER_PORT", String.valueOf(http));
    assertThat(run(healthEnv, "/bin/bash", HEALTHCHECK.toString()).exitCode).isZero();
    assertThat(run(healthEnv, "/bin/bash", HEALTHCHECK.toString(), readiness).exitCode).isZero();
    Result missing =
        run(healthEnv, "/bin/bash", HEALTHCHECK.toString(), config.actuatorPath("health/nothing"));
    assertThat(missing.exitCode).isEqualTo(1);
    assertThat(missing.output).contains("404");

    Result health =
        run(
            Map.of("BLIXARD_JAR", jar.toString(), "JAVA_OPTS", "-Xmx64m -XX:TieredStopAtLevel=1"),
            "/bin/sh",
            ENTRYPOINT.toString(),
            "health",
            "--node",
            "127.0.0.1:" + grpc);
    assertThat(health.exitCode).as("blixard health: %s", health.output).isZero();
    assertThat(health.output).contains("status  UP").containsPattern("raft +UP");
    // The QUIC native library loads from the image's layout.
    Result overQuic =
        run(
            Map.of("BLIXARD_JAR", jar.toString(), "JAVA_OPTS", "-Xmx64m -XX:TieredStopAtLevel=1"),
            "/bin/sh",
            ENTRYPOINT.toString(),
            "health",
            "--transport",
            "quic",
            "--node",
            "127.0.0.1:" + grpc);
    assertThat(overQuic.exitCode).as("blixard health over QUIC: %s", overQuic.output).isZero();

    node.destroy();
    assertThat(node.waitFor(60, TimeUnit.SECONDS)).as("node stopped on SIGTERM").isTrue();
    assertThat(Files.readString(log)).doesNotContain("Exception in thread");
    assertThat(run(healthEnv, "/bin/bash", HEALTHCHECK.toString()).exitCode).isNotZero();
  }

  /**
   * Lays {@code jar} out in {@code target} as the image does: split into its layers by the
   * Dockerfile's command, copied in the Dockerfile's order. Returns the application jar.
   */
  private Path imageLayout(Path jar, Path target) throws Exception {
    Path layers = dir.resolve("layers");
    Result extract =
        run(
            Map.of(),
            DockerfileTest.EXTRACT
                .replace("target/blixard.jar", jar.toString())
                .concat(" --destination " + layers)
                .split(" "));
    assertThat(extract.exitCode).as("extract: %s", extract.output).isZero();
    for (String layer : DockerfileTest.JAR_LAYERS) {
      Path from = layers.resolve(layer);
      assertThat(from).as("layer %s", layer).isDirectory();
      try (var files = Files.walk(from)) {
        for (Path file : files.toList()) {
          Path to = target.resolve(from.relativize(file).toString());
          if (Files.isDirectory(file)) {
            Files.createDirectories(to);
          } else {
            Files.copy(file, to);
          }
        }
      }
    }
    // Both CPUs' native libraries, so that an arm64 image works as an amd64 one does.
    try (var libraries = Files.list(target.resolve("lib"))) {
      List<String> names = libraries.map(p -> p.getFileName().toString()).toList();
      for (String artifact :
          List.of("netty-incubator-codec-native-quic", "netty-transport-native-epoll")) {
        for (String cpu : List.of("linux-x86_64", "linux-aarch_64")) {
          assertThat(names)
              .as("%s for %s in the image's lib/", artifact, cpu)
              .anySatisfy(name -> assertThat(name).startsWith(artifact).endsWith(cpu + ".jar"));
        }
      }
    }
    return target.resolve("blixard.jar");
  }

  private void awaitUp(int port, String path, Path log) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest request =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(5))
            .build();
    AtomicReference<String> last = new AtomicReference<>("no answer");
    try {
      await()
          .atMost(START_LIMIT)
          .pollInterval(Duration.ofMillis(250))
          .failFast("the node exited", () -> !node.isAlive())
          .until(
              () -> {
                try {
                  HttpResponse<String> response =
                      client.send(request, HttpResponse.BodyHandlers.ofString());
                  last.set(response.statusCode() + " " + response.body());
                  return response.statusCode() == 200
                      && response.body().contains("\"status\":\"UP\"");
                } catch (IOException e) {
                  last.set(e.toString());
                  return false;
                }
              });
    } catch (ConditionTimeoutException | TerminalFailureException e) {
      throw new AssertionError(
          path
              + " not UP within "
              + START_LIMIT
              + " ("
              + e.getMessage()
              + "); last: "
              + last.get()
              + "; log:\n"
              + tail(log));
    }
  }

  private static String tail(Path log) throws IOException {
    List<String> lines = Files.readAllLines(log);
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
  }

  private static Result run(Map<String, String> env, String... command) throws Exception {
    ProcessBuilder builder = new ProcessBuilder(new ArrayList<>(List.of(command)));
    builder.redirectErrorStream(true);
    builder.environment().putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    byte[] output = process.getInputStream().readAllBytes();
    assertThat(process.waitFor(60, TimeUnit.SECONDS)).as("%s finished", List.of(command)).isTrue();
    return new Result(process.exitValue(), new String(output, StandardCharsets.UTF_8));
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

  private record Result(int exitCode, String output) {}
}
