package io.blixard.bench;

import io.blixard.node.NodeId;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.DatagramSocket;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** The processes the benchmark starts (nodes from the jar, the raw echo servers) and stops. */
public final class Processes implements AutoCloseable {

  private final List<Process> started = new ArrayList<>();
  private final Path workDir;

  public Processes(Path workDir) {
    this.workDir = workDir;
  }

  /** A free TCP and UDP port on this host (bound to 0 and released). */
  public static int freePort() throws IOException {
    while (true) {
      int port;
      try (ServerSocket socket = new ServerSocket(0)) {
        port = socket.getLocalPort();
      }
      try (DatagramSocket udp = new DatagramSocket(port)) {
        return port;
      } catch (IOException taken) {
        // The UDP port of the same number is in use: try another.
      }
    }
  }

  /**
   * The command that starts a node from the jar; {@code prefix} runs it elsewhere (a netns). A node
   * with gRPC TLS runs in secure mode, with {@code operator} as its one operator; a plaintext node
   * runs in insecure mode (plaintext gRPC, anonymous QUIC, no authorization).
   */
  public static List<String> nodeCommand(
      List<String> prefix,
      Path jar,
      Path dataDir,
      String advertiseHost,
      String mode,
      int raftPort,
      int grpcPort,
      int quicPort,
      int httpPort,
      boolean grpcTls,
      io.blixard.node.NodeId operator) {
    List<String> command =
        new ArrayList<>(
            nodeCommand(
                prefix, jar, dataDir, advertiseHost, mode, raftPort, grpcPort, quicPort, httpPort,
                grpcTls));
    if (grpcTls) {
      command.add("--blixard.security.operators=" + operator.value());
    }
    return command;
  }

  /** {@link #nodeCommand} of a node no operator administers. */
  public static List<String> nodeCommand(
      List<String> prefix,
      Path jar,
      Path dataDir,
      String advertiseHost,
      String mode,
      int raftPort,
      int grpcPort,
      int quicPort,
      int httpPort,
      boolean grpcTls) {
    List<String> command = new ArrayList<>(prefix);
    command.addAll(
        List.of(
            javaExecutable(),
            "-Xms256m",
            "-Xmx1g",
            "-XX:+UseParallelGC",
            "-jar",
            jar.toString(),
            "--blixard.node.data-dir=" + dataDir,
            "--blixard.node.advertise-host=" + advertiseHost,
            "--blixard.transport.mode=" + mode,
            "--blixard.cluster.raft.port=" + raftPort,
            "--blixard.transport.grpc.port=" + grpcPort,
            "--blixard.transport.quic.port=" + quicPort,
            "--blixard.transport.grpc.tls.enabled=" + grpcTls,
            "--blixard.security.mode=" + (grpcTls ? "secure" : "insecure"),
            "--blixard.security.local-operator=false",
            "--server.port=" + httpPort));
    return command;
  }

  /**
   * The arguments of a secured member's start: {@code bootstrap} makes a new group that accepts
   * {@code joinToken}, {@code join} joins the group through {@code joinAddress} ({@code
   * host:grpcPort} or {@code NODEID@host:quicPort}) with that token, {@code recover} names neither
   * (the node's Raft state names its group and members).
   */
  public static List<String> clusterArguments(String how, String joinAddress, String joinToken) {
    return switch (how) {
      case "bootstrap" -> List.of("--blixard.security.bootstrap-token=" + joinToken);
      case "join" ->
          List.of(
              "--blixard.cluster.join=" + joinAddress, "--blixard.cluster.join-token=" + joinToken);
      case "recover" -> List.of();
      default ->
          throw new IllegalArgumentException(
              "how: " + how + " (expected: bootstrap, join or recover)");
    };
  }

  static String javaExecutable() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }

  /** Starts a command with its output in {@code <workDir>/<name>.log}. */
  public Process start(String name, List<String> command) throws IOException {
    Path log = workDir.resolve(name + ".log");
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(log.toFile())
            .start();
    started.add(process);
    return process;
  }

  /** Starts the raw echo servers and waits for their READY line; returns their node id. */
  public NodeId startEchoServers(List<String> prefix, String bind, int tcpPort, int udpPort)
      throws IOException {
    Path identity = workDir.resolve("echo-identity");
    List<String> command = new ArrayList<>(prefix);
    command.addAll(
        List.of(
            javaExecutable(),
            "-Xmx512m",
            "-XX:+UseParallelGC",
            "-cp",
            System.getProperty("java.class.path"),
            RawEchoServer.class.getName(),
            bind,
            Integer.toString(tcpPort),
            Integer.toString(udpPort),
            identity.toString()));
    Process process =
        new ProcessBuilder(command)
            .redirectError(workDir.resolve("echo.log").toFile())
            .start();
    started.add(process);
    BufferedReader out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith("READY ")) {
      throw new IllegalStateException(
          "the raw echo servers did not start (expected: READY, got "
              + line
              + "); see "
              + workDir.resolve("echo.log"));
    }
    return NodeId.parse(line.substring("READY ".length()).trim());
  }

  /** Waits for the node's certificate file and returns the id it names. */
  public static NodeId awaitNodeId(Path dataDir, Process process, Duration within)
      throws Exception {
    Path certificate = dataDir.resolve("identity").resolve("node.crt");
    long deadline = System.nanoTime() + within.toNanos();
    while (!Files.exists(certificate)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("the node exited with " + process.exitValue());
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("no " + certificate + " after " + within);
      }
      Thread.sleep(100);
    }
    Thread.sleep(200); // written atomically by a rename, but give the rename a moment on slow disks
    try (var in = Files.newInputStream(certificate)) {
      X509Certificate cert =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      return NodeId.of(cert.getPublicKey());
    }
  }

  @Override
  public void close() {
    for (Process process : started) {
      process.destroy();
    }
    for (Process process : started) {
      try {
        if (!process.waitFor(15, TimeUnit.SECONDS)) {
          process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    started.clear();
  }
}
