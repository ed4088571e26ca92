package io.blixard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The decisions of the image's entrypoint script (profile, StatefulSet seed, JVM options,
 * arguments), run by /bin/sh with a {@code java} on the PATH that prints the command line and
 * environment it was given. The script with the real JVM and jar is
 * EntrypointProcessIntegrationTest.
 */
@Timeout(60)
class EntrypointScriptTest {

  private static final Path ENTRYPOINT = ApplicationConfig.ROOT.resolve("docker/entrypoint.sh");

  @TempDir Path dir;
  private Path jar;

  @BeforeEach
  void printingJava() throws IOException {
    Path bin = Files.createDirectories(dir.resolve("bin"));
    Path java = bin.resolve("java");
    Files.writeString(
        java,
        """
        #!/bin/sh
        for a in "$@"; do echo "arg=$a"; done
        echo "SPRING_PROFILES_ACTIVE=${SPRING_PROFILES_ACTIVE-<unset>}"
        echo "BLIXARD_CLUSTER_JOIN=${BLIXARD_CLUSTER_JOIN-<unset>}"
        echo "BLIXARD_CLUSTER_BOOTSTRAP=${BLIXARD_CLUSTER_BOOTSTRAP-<unset>}"
        """);
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    jar = Files.writeString(dir.resolve("blixard.jar"), "not read by the printing java");
  }

  @Test
  void startsTheJarWithTheClusterProfileAndNoJoin() throws Exception {
    Result result = run(Map.of(), List.of());
    assertThat(result.exitCode).isZero();
    assertThat(result.args()).containsExactly("-jar", jar.toString());
    assertThat(result.value("SPRING_PROFILES_ACTIVE")).isEqualTo("cluster");
    assertThat(result.value("BLIXARD_CLUSTER_JOIN")).isEqualTo("<unset>");
  }

  @Test
  void passesJavaOptionsBeforeAndArgumentsAfterTheJar() throws Exception {
    Result result =
        run(
            Map.of("JAVA_OPTS", "-Xmx64m -Dblixard.example=1"),
            List.of("health", "--node", "node1:7001"));
    assertThat(result.args())
        .containsExactly(
            "-Xmx64m",
            "-Dblixard.example=1",
            "-jar",
            jar.toString(),
            "health",
            "--node",
            "node1:7001");
  }

  @Test
  void keepsProfilesThatAreSet() throws Exception {
    Result result = run(Map.of("SPRING_PROFILES_ACTIVE", "cluster,kubernetes"), List.of());
    assertThat(result.value("SPRING_PROFILES_ACTIVE")).isEqualTo("cluster,kubernetes");
  }

  @Test
  void statefulSetPodZeroBootstrapsAndEveryOtherPodJoinsTheSeed() throws Exception {
    String seed = "blix-blixard-0.blix-blixard-peers.ns.svc.cluster.local:7001";
    assertThat(join("blix-blixard-0", seed)).isEqualTo("<unset>");
    assertThat(join("blix-blixard-1", seed)).isEqualTo(seed);
    assertThat(join("blix-blixard-10", seed)).isEqualTo(seed);
    assertThat(join("blix-blixard-2", null)).isEqualTo("<unset>");
  }

  @Test
  void withBootstrapNeverPodZeroJoinsTheOtherPodsInsteadOfBootstrapping() throws Exception {
    String peers = ".blix-blixard-peers.ns.svc.cluster.local:7001";
    Map<String, String> env =
        new java.util.HashMap<>(
            Map.of(
                "HOSTNAME",
                "blix-blixard-0",
                "BLIXARD_SEED",
                "blix-blixard-0" + peers,
                "BLIXARD_MEMBERS",
                "blix-blixard-0" + peers + ",blix-blixard-1" + peers + ",blix-blixard-2" + peers,
                "BLIXARD_CLUSTER_BOOTSTRAP",
                "never"));
    Result pod0 = run(env, List.of());
    assertThat(pod0.value("BLIXARD_CLUSTER_JOIN"))
        .isEqualTo("blix-blixard-1" + peers + ",blix-blixard-2" + peers);
    assertThat(pod0.value("BLIXARD_CLUSTER_BOOTSTRAP")).isEqualTo("never");

    env.put("BLIXARD_CLUSTER_BOOTSTRAP", "new");
    Result installed = run(env, List.of());
    assertThat(installed.value("BLIXARD_CLUSTER_JOIN")).isEqualTo("<unset>");
    assertThat(installed.value("BLIXARD_CLUSTER_BOOTSTRAP")).isEqualTo("new");

    // Only pod 0 may bootstrap: the others always join.
    env.put("HOSTNAME", "blix-blixard-1");
    Result pod1 = run(env, List.of());
    assertThat(pod1.value("BLIXARD_CLUSTER_JOIN")).isEqualTo("blix-blixard-0" + peers);
    assertThat(pod1.value("BLIXARD_CLUSTER_BOOTSTRAP")).isEqualTo("never");
  }

  @Test
  void anExplicitJoinWinsOverTheSeed() throws Exception {
    Result result =
        run(
            Map.of(
                "HOSTNAME", "blix-blixard-0",
                "BLIXARD_SEED", "seed:7001",
                "BLIXARD_CLUSTER_JOIN", "node1:7001"),
            List.of());
    assertThat(result.value("BLIXARD_CLUSTER_JOIN")).isEqualTo("node1:7001");
  }

  @Test
  void refusesToStartWithoutAReadableJar() throws Exception {
    Path missing = dir.resolve("missing.jar");
    Result result = run(Map.of("BLIXARD_JAR", missing.toString()), List.of());
    assertThat(result.exitCode).isEqualTo(64);
    assertThat(result.output)
        .contains("cannot read the node's jar at " + missing)
        .contains("expected: a readable file");
  }

  private String join(String hostname, String seed) throws Exception {
    Map<String, String> env = new java.util.HashMap<>(Map.of("HOSTNAME", hostname));
    if (seed != null) {
      env.put("BLIXARD_SEED", seed);
    }
    return run(env, List.of()).value("BLIXARD_CLUSTER_JOIN");
  }

  private Result run(Map<String, String> env, List<String> args) throws Exception {
    List<String> command = new ArrayList<>(List.of("/bin/sh", ENTRYPOINT.toString()));
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true);
    Map<String, String> environment = builder.environment();
    environment.clear();
    environment.put("PATH", dir.resolve("bin") + ":/usr/bin:/bin");
    environment.put("BLIXARD_JAR", jar.toString());
    environment.putAll(env);
    Process process = builder.start();
    process.getOutputStream().close();
    assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("entrypoint finished").isTrue();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    return new Result(process.exitValue(), output);
  }

  private record Result(int exitCode, String output) {

    List<String> args() {
      return output
          .lines()
          .filter(line -> line.startsWith("arg="))
          .map(line -> line.substring(4))
          .toList();
    }

    String value(String name) {
      return output
          .lines()
          .filter(line -> line.startsWith(name + "="))
          .map(line -> line.substring(name.length() + 1))
          .findFirst()
          .orElseThrow(() -> new AssertionError(name + " not printed; output: " + output));
    }
  }
}
