package io.blixard.bench;

import io.blixard.node.NodeId;
import io.blixard.proto.health.v1.PingResponse;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.incubator.codec.quic.Quic;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * The benchmark: starts nodes from the jar and the raw echo servers as processes, runs every
 * workload over every target interleaved, in several rounds (median and spread in the report),
 * then (as root) again between network namespaces under packet loss, then (as root) the Raft
 * section ({@link RaftSection}), and writes the report. Run it with {@code ./mvnw -Pbench verify};
 * {@code --sections} runs some of the sections only.
 */
public final class BenchMain {

  /** The command the report names. */
  static final String COMMAND = "./mvnw -Pbench verify";

  /** The command that runs the Raft section alone. */
  static final String RAFT_COMMAND = "./mvnw -Pbench verify -Dbench.sections=raft";

  /** The payload of each message of the RPC streams. */
  static final int STREAM_PAYLOAD = 16;

  private final Settings settings;
  private final Path jar;
  private final List<Measurement> results = new ArrayList<>();
  private final List<String> notes = new ArrayList<>();
  private int cell;

  private BenchMain(Settings settings, Path jar) {
    this.settings = settings;
    this.jar = jar;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> options = parse(args);
    Settings settings =
        Settings.named(
            options.getOrDefault("--mode", "full"),
            options.getOrDefault("--rounds", "default"),
            options.getOrDefault("--sections", "all"));
    Path jar = Path.of(options.getOrDefault("--jar", "target/blixard.jar")).toAbsolutePath();
    if (!Files.isRegularFile(jar)) {
      System.err.println("bench: no jar at " + jar + " (expected: ./mvnw package first)");
      System.exit(2);
    }
    Path out = outputDirectory(settings, jar, options.getOrDefault("--out", "docs/benchmarks"));
    boolean loss = Boolean.parseBoolean(options.getOrDefault("--loss", "true"));
    Quic.ensureAvailability();
    Map<String, String> machine = Machine.describe();
    BenchMain bench = new BenchMain(settings, jar);
    long began = System.nanoTime();
    bench.notes.add(
        "Mode "
            + settings.mode()
            + ", "
            + settings.rounds()
            + " rounds. 2 shared cores run the client and every process it starts together:"
            + " single figures are noisy (repeat runs differ by 10-30 %, a cell by up to 2x), so"
            + " every cell is measured once per round and the ratios are taken within a round.");
    if (settings.runs(Settings.Section.TRANSPORT)) {
      long udpDropsBefore = Machine.udpReceiveBufferErrors();
      bench.loopback();
      bench.notes.add(
          "UDP datagrams dropped by full socket receive buffers during the loopback runs (whole"
              + " machine, /proc/net/snmp RcvbufErrors): "
              + (Machine.udpReceiveBufferErrors() - udpDropsBefore)
              + ". QUIC sockets here use 4 MiB buffers (the default 208 KiB drops large answers).");
      if (loss) {
        bench.underLoss();
      } else {
        bench.notes.add("The runs under packet loss were left out (--loss false).");
      }
    } else {
      bench.notes.add("Sections run: " + settings.sectionList() + " (--sections).");
    }
    if (settings.runs(Settings.Section.RAFT)) {
      new RaftSection(settings, jar, bench::record, bench.notes).run();
    }
    machine.put("load average at end", Machine.loadAverage());
    machine.put("run time", Math.round((System.nanoTime() - began) / 60e9 * 10) / 10.0 + " min");
    String command = settings.runs(Settings.Section.TRANSPORT) ? COMMAND : RAFT_COMMAND;
    new Report(machine, bench.results, bench.notes, command).write(out);
    System.out.println("bench: report written to " + out.resolve("README.md"));
    // gRPC's shared transport threads are not daemons.
    System.exit(0);
  }

  /**
   * Where the report goes: a quick run to {@code target/bench-quick}, a run of only some sections
   * to {@code target/bench-<sections>} (so that it never replaces the published report with part
   * of one), a full run of every section to {@code out}.
   */
  static Path outputDirectory(Settings settings, Path jar, String out) {
    if (settings.mode().equals("quick")) {
      return jar.getParent().resolve("bench-quick");
    }
    if (!settings.sections().containsAll(java.util.EnumSet.allOf(Settings.Section.class))) {
      return jar.getParent().resolve("bench-" + settings.sectionList().replace(',', '-'));
    }
    return Path.of(out).toAbsolutePath();
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> options = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "argument "
                + args[i]
                + " (expected: --jar, --out, --mode, --rounds, --loss, --sections, each with a"
                + " value)");
      }
      options.put(args[i], args[++i]);
    }
    return options;
  }

  /** Where the node and the echo servers run, and how the client reaches them. */
  private record Place(String label, List<String> prefix, String host) {}

  private void loopback() throws Exception {
    runAt(new Place("loopback", List.of(), "127.0.0.1"), List.of(0), true);
  }

  private void underLoss() throws Exception {
    var reason = NetNamespace.unavailableReason();
    if (reason.isPresent()) {
      String why = "Runs under packet loss skipped: " + reason.get() + ".";
      System.out.println("bench: " + why);
      notes.add(why);
      return;
    }
    try (NetNamespace ns = new NetNamespace(NetNamespace.Layout.standard(), NetNamespace::runCommand)) {
      Thread teardown = new Thread(ns::close, "netns-teardown");
      Runtime.getRuntime().addShutdownHook(teardown);
      try {
        ns.create();
      } catch (java.io.IOException e) {
        String why = "Runs under packet loss skipped: cannot make a network namespace: " + e.getMessage();
        System.out.println("bench: " + why);
        notes.add(why);
        return;
      }
      runAt(new Place("netns", ns.exec(), ns.layout().nodeAddress()), settings.losses(), false, ns);
      Runtime.getRuntime().removeShutdownHook(teardown);
    }
  }

  private void runAt(Place place, List<Integer> losses, boolean full) throws Exception {
    runAt(place, losses, full, null);
  }

  private void runAt(Place place, List<Integer> losses, boolean full, NetNamespace ns)
      throws Exception {
    Path work = Files.createTempDirectory("blixard-bench-" + place.label());
    System.out.println("bench: " + place.label() + ", logs in " + work);
    EventLoopGroup group = new NioEventLoopGroup(2);
    List<Target> targets = new ArrayList<>();
    try (Processes processes = new Processes(work)) {
      Thread stopAll = new Thread(processes::close, "bench-processes");
      Runtime.getRuntime().addShutdownHook(stopAll);
      try {
        int tcp = Processes.freePort();
        int udp = Processes.freePort();
        NodeId echoId = processes.startEchoServers(place.prefix(), place.host(), tcp, udp);
        operator = io.blixard.security.OperatorIdentity.loadOrCreate(work.resolve("operator"));
        Path plainDir = work.resolve("node-grpc");
        Process plain = startNode(processes, place, plainDir, false);
        Path tlsDir = work.resolve("node-grpc-tls");
        Process tls = startNode(processes, place, tlsDir, true);
        NodeId tlsId = Processes.awaitNodeId(tlsDir, tls, Duration.ofSeconds(60));
        NodeId plainId = Processes.awaitNodeId(plainDir, plain, Duration.ofSeconds(60));
        GrpcChannels plainChannels = GrpcChannels.plaintext(place.host(), grpcPorts.get(plain));
        GrpcChannels tlsChannels =
            GrpcChannels.tls(place.host(), grpcPorts.get(tls), tlsId, operator);
        awaitServing(plainChannels, plain, work);
        awaitServing(tlsChannels, tls, work);
        targets.add(new RpcTarget("grpc", plainChannels));
        targets.add(new RpcTarget("grpc-tls", tlsChannels));
        targets.add(
            new RpcTarget(
                "quic", new QuicChannels(place.host(), quicPorts.get(tls), tlsId, operator)));
        targets.add(new RawQuicTarget(new InetSocketAddress(place.host(), udp), echoId));
        targets.add(new RawTcpTarget(group, new InetSocketAddress(place.host(), tcp)));
        for (Target target : targets) {
          target.prepare(16);
        }
        jitWarmUp(targets);
        // Round after round of every cell, rather than all rounds of a cell together: the rounds
        // of one cell are spread over the whole run, so a slow stretch of the shared machine
        // lands in one round of many cells, not in every round of one cell.
        for (int round = 1; round <= settings.rounds(); round++) {
          System.out.println(
              "bench: " + place.label() + ", round " + round + " of " + settings.rounds());
          if (full) {
            unary(targets, settings.payloads(), settings.concurrencies(), 0, "unary",
                settings.bound(), round);
            streams(targets, 0, "stream", round);
            coldConnects(targets, round);
          } else {
            for (int loss : losses) {
              ns.setLoss(loss);
              System.out.println("bench: " + loss + " % loss each way");
              unary(targets, List.of(64), settings.lossConcurrencies(), loss, "unary-netns",
                  settings.lossBound(), round);
              streams(targets, loss, "stream-netns", round);
            }
            ns.setLoss(0);
          }
        }
      } finally {
        targets.forEach(Target::close);
        Runtime.getRuntime().removeShutdownHook(stopAll);
      }
    } finally {
      group.shutdownGracefully(0, 2, TimeUnit.SECONDS).syncUninterruptibly();
    }
  }

  /** Unmeasured calls through every target, small and larger, until the JIT has settled. */
  private void jitWarmUp(List<Target> targets) throws Exception {
    System.out.println("bench: warming up every target for " + settings.jitWarmUp().toSeconds()
        + " s x 2");
    for (int payload : List.of(64, 16 * 1024)) {
      for (Target target : targets) {
        LoadRunner.unary(target, payload, 16, 0, Duration.ZERO, settings.jitWarmUp(),
            Long.MAX_VALUE);
      }
    }
  }

  private final Map<Process, Integer> grpcPorts = new java.util.HashMap<>();
  private io.blixard.node.NodeIdentity operator;
  private final Map<Process, Integer> quicPorts = new java.util.HashMap<>();

  private Process startNode(Processes processes, Place place, Path dataDir, boolean tls)
      throws Exception {
    int grpc = Processes.freePort();
    int quic = Processes.freePort();
    // The secure node (gRPC TLS) serves QUIC too: the QUIC and gRPC-TLS targets both pay for
    // client certificates and authorization; the plaintext node is insecure and serves gRPC only.
    Process process =
        processes.start(
            dataDir.getFileName().toString(),
            Processes.nodeCommand(
                place.prefix(), jar, dataDir, place.host(), tls ? "dual" : "grpc",
                Processes.freePort(), grpc, quic, Processes.freePort(), tls, operator.nodeId()));
    grpcPorts.put(process, grpc);
    quicPorts.put(process, quic);
    return process;
  }

  /** Waits until the node answers SERVING (Raft has a leader), so start-up is over. */
  private static void awaitServing(RpcTarget.Channels channels, Process process, Path work)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
    Channel channel = channels.open();
    try {
      while (true) {
        try {
          ServingStatus status =
              HealthGrpc.newBlockingStub(channel)
                  .withWaitForReady()
                  .withDeadlineAfter(2, TimeUnit.SECONDS)
                  .check(HealthCheckRequest.getDefaultInstance())
                  .getStatus();
          if (status == ServingStatus.SERVING) {
            return;
          }
        } catch (StatusRuntimeException notYet) {
          // Starting.
        }
        if (!process.isAlive() || System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "a node did not become ready within 240 s (exit: "
                  + (process.isAlive() ? "still running" : process.exitValue())
                  + "); see the logs in "
                  + work);
        }
        Thread.sleep(300);
      }
    } finally {
      channels.close(channel);
    }
  }

  private void unary(
      List<Target> targets,
      List<Integer> payloads,
      List<Integer> concurrencies,
      int loss,
      String workload,
      Duration bound,
      int round)
      throws Exception {
    // Each cell starts one place further in the target list, and each round one further again,
    // so no target always runs first (on a cold cell) or right after the heaviest one.
    int rotation = round - 1;
    for (int payload : payloads) {
      for (int c : concurrencies) {
        for (Target target : rotate(targets, rotation++)) {
          target.prepare(c);
          Measurement m =
              LoadRunner.unary(target, payload, c, loss, settings.warmUp(), bound,
                  settings.maxCalls());
          m = m.as(workload, m.payloadBytes(), round);
          record(m, Report.size(payload) + " c=" + c + (loss > 0 ? " loss=" + loss + "%" : ""));
        }
      }
    }
  }

  private void streams(List<Target> targets, int loss, String workload, int round)
      throws Exception {
    int rawSize = rawStreamMessageSize();
    for (Target target : rotate(targets, loss + round - 1)) {
      boolean rpc = target instanceof RpcTarget;
      Measurement m =
          LoadRunner.stream(target, settings.streamCount(), rpc ? STREAM_PAYLOAD : rawSize, loss,
              2, settings.streamRepeats(), settings.streamBound());
      m = m.as(workload, rawSize, round);
      record(m, "stream of " + settings.streamCount() + (loss > 0 ? " loss=" + loss + "%" : ""));
    }
  }

  /** The bytes of one streamed PingResponse, so the floors stream messages of the same size. */
  static int rawStreamMessageSize() {
    return PingResponse.newBuilder()
        .setPayload(com.google.protobuf.ByteString.copyFrom(new byte[STREAM_PAYLOAD]))
        .setServerTime(com.google.protobuf.Timestamp.newBuilder().setSeconds(1_800_000_000L)
            .setNanos(123_456_789))
        .setNodeId("x".repeat(52))
        .setSequence(5_000)
        .build()
        .getSerializedSize();
  }

  private void coldConnects(List<Target> targets, int round) throws Exception {
    Map<Target, Histogram> times = new LinkedHashMap<>();
    for (Target target : targets) {
      times.put(target, Measurement.newHistogram());
      for (int i = 0; round == 1 && i < 3; i++) {
        target.coldConnect();
      }
    }
    long began = System.nanoTime();
    // One connection per target in turn, so drifts in the machine's load hit every target alike.
    for (int i = 0; i < settings.coldConnects(); i++) {
      for (Target target : rotate(targets, i + round - 1)) {
        times.get(target).recordValue(target.coldConnect());
      }
    }
    double seconds = (System.nanoTime() - began) / 1e9;
    for (var entry : times.entrySet()) {
      record(
          Measurement.of(entry.getKey().name(), "connect", 64, 1, 0, entry.getValue(), 0, seconds)
              .as("connect", 64, round),
          "cold connect");
    }
  }

  private void record(Measurement m, String what) {
    results.add(m);
    System.out.printf(
        java.util.Locale.ROOT,
        "[%3d] r%-2d %-8s %-22s %-9s calls %7d  p50 %9.1f µs  p99 %9.1f µs  p99.9 %9.1f µs"
            + "  %9.0f/s  errors %d%n",
        ++cell, m.round(), m.workload(), what, m.target(), m.calls(), m.p50(), m.p99(), m.p999(),
        m.callsPerSecond(), m.errors());
  }

  static <T> List<T> rotate(List<T> targets, int by) {
    List<T> order = new ArrayList<>(targets);
    java.util.Collections.rotate(order, -(by % order.size()));
    return order;
  }
}
