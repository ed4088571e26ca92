package io.blixard.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * scripts/cluster.sh with a {@code java} that answers {@code status} as an agreed three-node
 * cluster and, started as a node, prints its arguments into the node's log and waits: which ports
 * each node is given, from the defaults or the environment.
 */
@Timeout(120)
class ClusterScriptTest {

  private static final Path SCRIPT = ApplicationConfig.ROOT.resolve("scripts/cluster.sh");

  @TempDir Path dir;
  private final Map<String, String> environment = new HashMap<>();

  @BeforeEach
  void fakeJavaAndJar() throws IOException {
    Path java = dir.resolve("java");
    Files.writeString(
        java,
        """
        #!/bin/sh
        case " $* " in
          *" status "*)
            printf '{"leaderId": "aaaaaaaa",\\n"voter": true,\\n"voter": true,\\n"voter": true}\\n'
            exit 0 ;;
        esac
        # A node makes its identity in its data directory first, as the jar does.
        for a in "$@"; do
          case "$a" in
            --blixard.node.data-dir=*)
              d="${a#*=}/identity"
              mkdir -p "$d"
              [ -s "$d/node.crt" ] || openssl req -x509 -newkey ec \
                -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=node -days 1 \
                -keyout "$d/node.key" -out "$d/node.crt" 2>/dev/null ;;
          esac
        done
        for a in "$@"; do echo "$a"; done
        exec sleep 60
        """);
    Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
    environment.put("JAVA", java.toString());
    environment.put("BLIXARD_JAR", Files.writeString(dir.resolve("blixard.jar"), "").toString());
    environment.put("BLIXARD_CLUSTER_DIR", dir.resolve("cluster").toString());
    environment.put("BLIXARD_CLUSTER_WAIT", "30");
  }

  @AfterEach
  void down() throws Exception {
    run("down");
  }

  @Test
  void shouldGiveTheNodesTheDefaultPorts() throws Exception {
    Result up = run("up");

    assertThat(up.exitCode()).as(up.output()).isZero();
    assertThat(nodeArguments(2))
        .contains(
            "--blixard.cluster.raft.port=7010",
            "--blixard.transport.grpc.port=7011",
            "--blixard.transport.quic.port=7012",
            "--server.port=8081",
            "--blixard.cluster.join=127.0.0.1:7001,127.0.0.1:7021");
  }

  @Test
  void shouldTakeTheBasePortsFromTheEnvironment() throws Exception {
    environment.put("BLIXARD_CLUSTER_BASE_PORT", "17000");
    environment.put("BLIXARD_CLUSTER_HTTP_PORT", "18080");

    Result up = run("up");

    assertThat(up.exitCode()).as(up.output()).isZero();
    assertThat(nodeArguments(1))
        .contains(
            "--blixard.cluster.raft.port=17000",
            "--blixard.transport.grpc.port=17001",
            "--blixard.transport.quic.port=17002",
            "--server.port=18080");
    assertThat(nodeArguments(3))
        .contains(
            "--blixard.cluster.raft.port=17020",
            "--blixard.transport.grpc.port=17021",
            "--blixard.transport.quic.port=17022",
            "--server.port=18082",
            "--blixard.cluster.join=127.0.0.1:17001,127.0.0.1:17011");
    assertThat(up.output())
        .contains("127.0.0.1:17010      127.0.0.1:17011  127.0.0.1:17012/udp  127.0.0.1:18081");
  }

  @Test
  void shouldRefuseAPortThatLeavesNoRoomForEveryNode() throws Exception {
    environment.put("BLIXARD_CLUSTER_BASE_PORT", "65520");

    Result up = run("up");

    assertThat(up.exitCode()).isEqualTo(1);
    assertThat(up.output())
        .isEqualTo(
            "cluster.sh: BLIXARD_CLUSTER_BASE_PORT: \"65520\" (expected: a port from 1 to"
                + " 65513)\n");
    assertThat(dir.resolve("cluster")).doesNotExist();
  }

  @Test
  void shouldDocumentThePortsInItsUsage() throws Exception {
    Result help = run("--help");

    assertThat(help.exitCode()).isZero();
    assertThat(help.output())
        .startsWith(
            "usage: scripts/cluster.sh up [--raft-quic | --quic] | status | down [--purge]\n")
        .contains("BLIXARD_CLUSTER_BASE_PORT", "BLIXARD_CLUSTER_HTTP_PORT");
    assertThat(run("bogus").exitCode()).isEqualTo(2);
  }

  @Test
  void shouldStartAQuicModeClusterThatJoinsThroughNodeIds() throws Exception {
    Result up = run("up", "--quic");

    assertThat(up.exitCode()).as(up.output()).isZero();
    String first = nodeId(1);
    assertThat(nodeArguments(2))
        .contains(
            "--blixard.transport.mode=quic",
            "--blixard.transport.strategy.raft-transport=always-quic",
            "--blixard.transport.quic.port=7012")
        .anySatisfy(
            a -> assertThat(a).startsWith("--blixard.cluster.join=" + first + "@127.0.0.1:7002"));
    assertThat(up.output())
        .contains("3 nodes agree over QUIC (quic mode, no gRPC)")
        .contains("127.0.0.1:7012/udp   " + "-" + " ".repeat(16) + "127.0.0.1:7012/udp")
        .contains("status --node " + nodeId(2) + "@127.0.0.1:7012");
  }

  @Test
  void shouldStartRaftOverQuicInDualModeAndKeepTheModeTheClusterWasMadeIn() throws Exception {
    assertThat(run("up", "--raft-quic").exitCode()).isZero();
    assertThat(nodeArguments(3))
        .contains(
            "--blixard.transport.mode=dual",
            "--blixard.transport.strategy.raft-transport=always-quic",
            "--blixard.cluster.join=127.0.0.1:7001,127.0.0.1:7011");
    run("down");

    Result other = run("up", "--quic");
    assertThat(other.exitCode()).isEqualTo(1);
    assertThat(other.output())
        .contains("was made in raft-quic mode")
        .contains("expected: up --raft-quic, or down --purge first for a quic cluster");
    Result again = run("up");
    assertThat(again.exitCode()).as(again.output()).isZero();
    assertThat(nodeArguments(1))
        .contains("--blixard.transport.strategy.raft-transport=always-quic");
  }

  /** The node id the node's certificate hashes to, as the node computes it. */
  private String nodeId(int node) throws Exception {
    Path crt = dir.resolve("cluster/node" + node + "/data/identity/node.crt");
    try (var in = Files.newInputStream(crt)) {
      var cert =
          (java.security.cert.X509Certificate)
              java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in);
      return io.blixard.node.NodeId.of(cert.getPublicKey()).value();
    }
  }

  private List<String> nodeArguments(int node) throws IOException {
    return Files.readAllLines(dir.resolve("cluster/node" + node + "/node.log"));
  }

  private Result run(String... args) throws IOException, InterruptedException {
    ProcessBuilder builder =
        new ProcessBuilder(
                Stream.concat(Stream.of("bash", SCRIPT.toString()), Stream.of(args)).toList())
            .redirectErrorStream(true);
    builder.environment().putAll(environment);
    Process process = builder.start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(process.waitFor(90, TimeUnit.SECONDS)).isTrue();
    return new Result(process.exitValue(), output);
  }

  private record Result(int exitCode, String output) {}
}
