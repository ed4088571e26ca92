package io.blixard;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.bench.Processes;
import io.blixard.client.BlixardClient;
import io.blixard.client.ClientOptions;
import io.blixard.cluster.registry.RegistryCommands;
import io.blixard.node.NodeAddress;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.Admission;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.proto.health.v1.PingRequest;
import io.blixard.proto.monitoring.v1.GetSystemInfoRequest;
import io.blixard.proto.monitoring.v1.MonitoringServiceGrpc;
import io.blixard.proto.security.v1.ListAdmissionsRequest;
import io.blixard.proto.security.v1.SecurityServiceGrpc;
import io.blixard.proto.security.v1.SignedChange;
import io.blixard.proto.status.v1.GetClusterStatusRequest;
import io.blixard.proto.status.v1.GetClusterStatusResponse;
import io.blixard.proto.status.v1.StatusServiceGrpc;
import io.blixard.security.CommandSigner;
import io.blixard.support.TestOperator;
import io.blixard.support.UdpRelay;
import io.blixard.transport.quic.QuicAlpn;
import io.blixard.transport.quic.client.QuicClientSettings;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three nodes from the built jar as processes (dual transport, secured, the test operator their one
 * operator), a client on every node calling health, status and monitoring without pause, an
 * operator writing to the registry throughout, and the figures of each phase of the run: what the
 * chaos run and the migration drill share. A subclass names the nodes' extra arguments and runs the
 * phases.
 *
 * <p>The caller of a killed node is held while its process is gone (no transport can reach a
 * process that does not exist) and resumes with a new client once its node answers again.
 */
abstract class ProcessClusterRun {

  protected static final Duration START = Duration.ofSeconds(240);
  protected static final Duration CALL_DEADLINE = Duration.ofSeconds(10);
  protected static final Duration WRITE_DEADLINE = Duration.ofSeconds(15);
  protected static final String JOIN_TOKEN = "processrun.0123456789abcdef0123456789abcdef";

  /** Kept when the run fails: the nodes' logs are in it. */
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  protected Path dir;

  protected final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  protected final Map<String, PhaseFigures> phases = new ConcurrentHashMap<>();
  protected final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  protected final ConcurrentLinkedQueue<NodeId> acknowledged = new ConcurrentLinkedQueue<>();
  protected final AtomicLong writesFailed = new AtomicLong();
  protected final Map<String, AtomicLong> writeFailures = new ConcurrentHashMap<>();
  protected final AtomicLong writeSequence = new AtomicLong();
  protected final List<String> report = new ArrayList<>();
  protected volatile String phase = "start";
  protected volatile boolean running = true;
  private final String runName;

  protected ProcessClusterRun(String runName) {
    this.runName = runName;
  }

  /** Arguments every node gets beyond the common ones (its strategy, say). */
  protected abstract List<String> nodeArguments();

  // --- the faults

  protected record Killed(Node node, Duration toNewLeader) {}

  /** Kills the leader with SIGKILL and waits for a survivor to name another one. */
  protected Killed killTheLeader(List<Node> nodes) {
    Node leader = leader(nodes);
    NodeId old = leader.id;
    enter("leader killed");
    leader.down();
    long killed = System.nanoTime();
    leader.process.destroyForcibly();
    NewLeader next = awaitNewLeader(nodes, leader, old);
    Duration toNewLeader = Duration.ofNanos(next.at - killed);
    report.add(
        "leader "
            + old.shortForm()
            + " (node "
            + (leader.index + 1)
            + ") killed; new leader "
            + next.leader.shortForm()
            + " after "
            + toNewLeader.toMillis()
            + " ms");
    return new Killed(leader, toNewLeader);
  }

  /** Starts the node again on its data directory and resumes calls to it once it answers. */
  protected void restart(Processes processes, Path jar, Node node) throws Exception {
    enter("leader restarted");
    long restarted = System.nanoTime();
    node.process =
        processes.start("node-" + (node.index + 1) + "-restart", node.command(jar, "recover"));
    node.awaitAnswer(START);
    Duration restart = Duration.ofNanos(System.nanoTime() - restarted);
    node.connect();
    report.add("killed node answering again " + restart.toSeconds() + " s after its restart");
  }

  // --- the cluster

  protected final class Node {
    final int index;
    final List<String> prefix;
    final String host;
    final String quicBind;
    final int raftPort;
    final int grpcPort;
    final int quicPort;
    final int httpPort;
    final Path dataDir;
    final ReentrantLock callLock = new ReentrantLock();
    final ReentrantLock writeLock = new ReentrantLock();
    final AtomicLong calls = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    volatile boolean up;
    volatile Process process;
    volatile NodeId id;
    volatile BlixardClient client;
    volatile ManagedChannel observer;

    Node(int index, List<String> prefix, String host, String quicBind) throws Exception {
      this.index = index;
      this.prefix = prefix;
      this.host = host;
      this.quicBind = quicBind;
      this.dataDir = dir.resolve("node-" + (index + 1));
      this.raftPort = Processes.freePort();
      this.grpcPort = Processes.freePort();
      this.quicPort = Processes.freePort();
      this.httpPort = Processes.freePort();
    }

    String describe() {
      return "node "
          + (index + 1)
          + ": "
          + host
          + (prefix.isEmpty() ? "" : " in network namespace " + prefix.get(prefix.size() - 1))
          + (quicBind.equals(host)
              ? ""
              : ", QUIC behind a UDP relay (the node binds " + quicBind + ")");
    }

    List<String> command(Path jar, String how) {
      List<String> command = new ArrayList<>(prefix);
      command.addAll(
          List.of(
              Path.of(System.getProperty("java.home"), "bin", "java").toString(),
              "-Xmx256m",
              "-XX:+UseSerialGC",
              "-jar",
              jar.toString(),
              "--blixard.node.data-dir=" + dataDir,
              "--blixard.node.advertise-host=" + host,
              "--blixard.cluster.raft.port=" + raftPort,
              "--blixard.cluster.raft.bind-address=" + host,
              "--blixard.transport.mode=dual",
              "--blixard.transport.grpc.port=" + grpcPort,
              "--blixard.transport.grpc.bind-address=" + host,
              "--blixard.transport.quic.port=" + quicPort,
              "--blixard.transport.quic.bind-address=" + quicBind,
              "--server.port=" + httpPort,
              "--server.address=" + host,
              "--blixard.security.operators=" + TestOperator.identity().nodeId().value(),
              "--blixard.security.local-operator=false"));
      command.addAll(nodeArguments());
      command.addAll(
          Processes.clusterArguments(how, first.host + ":" + first.grpcPort, JOIN_TOKEN));
      return command;
    }

    /** Waits until the node says who leads a group of three voters. */
    void awaitAnswer(Duration within) throws Exception {
      id = Processes.awaitNodeId(dataDir, process, within);
      long deadline = System.nanoTime() + within.toNanos();
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              "node " + (index + 1) + " exited with " + process.exitValue() + "; see " + log());
        }
        Optional<GetClusterStatusResponse> status = status();
        if (status.isPresent()
            && !status.get().getLeaderId().isEmpty()
            && status.get().getNodesList().stream().filter(n -> n.getVoter()).count() == 3) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              "node "
                  + (index + 1)
                  + " knows no leader of three voters after "
                  + within
                  + "; see "
                  + log());
        }
        Thread.sleep(200);
      }
    }

    Path log() {
      return dir.resolve("node-" + (index + 1) + "*.log");
    }

    /**
     * The node's view of the group, over a channel of the test's own; empty when it does not
     * answer.
     */
    Optional<GetClusterStatusResponse> status() {
      try {
        if (observer == null) {
          observer = TestOperator.grpcChannels().newChannel(NodeAddress.of(host, grpcPort));
        }
        return Optional.of(
            StatusServiceGrpc.newBlockingStub(observer)
                .withDeadlineAfter(1, TimeUnit.SECONDS)
                .getClusterStatus(GetClusterStatusRequest.getDefaultInstance()));
      } catch (StatusRuntimeException e) {
        return Optional.empty();
      }
    }

    /** A new client of this node, and calls and writes to it resumed. */
    void connect() {
      client =
          BlixardClient.connect(
              NodeAddress.of(host, grpcPort),
              TestOperator.grpcChannels(),
              clientSettings(),
              meters,
              CircuitBreakerRegistry.ofDefaults());
      up = true;
    }

    /**
     * Holds calls and writes to this node once those in flight have ended, and drops its client.
     */
    void down() {
      up = false;
      callLock.lock();
      writeLock.lock();
      try {
        closeClients();
      } finally {
        writeLock.unlock();
        callLock.unlock();
      }
    }

    private void closeClients() {
      if (client != null) {
        client.close();
        client = null;
      }
      if (observer != null) {
        observer.shutdownNow();
        observer = null;
      }
    }

    void close() {
      up = false;
      closeClients();
    }
  }

  protected Node first;

  protected void startCluster(Processes processes, Path jar, List<Node> nodes) throws Exception {
    first = nodes.get(0);
    first.process = processes.start("node-1", first.command(jar, "bootstrap"));
    first.id = Processes.awaitNodeId(first.dataDir, first.process, START);
    long deadline = System.nanoTime() + START.toNanos();
    while (first.status().map(s -> s.getLeaderId().isEmpty()).orElse(true)) {
      assertThat(first.process.isAlive()).as("node 1 running; see %s", dir).isTrue();
      assertThat(System.nanoTime()).as("node 1 leads within %s", START).isLessThan(deadline);
      Thread.sleep(200);
    }
    for (Node node : nodes.subList(1, nodes.size())) {
      node.process = processes.start("node-" + (node.index + 1), node.command(jar, "join"));
    }
    for (Node node : nodes) {
      node.awaitAnswer(START);
    }
  }

  private static BlixardClient.Settings clientSettings() {
    QuicClientSettings d = QuicClientSettings.defaults();
    // A dead QUIC path is noticed within 5 s (idle timeout, keep-alive every second), before a
    // call's 10 s deadline, so that a call in flight on it still has time to move to gRPC.
    QuicClientSettings quic =
        new QuicClientSettings(
            QuicAlpn.RPC,
            d.maxFrameSize(),
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            Duration.ofSeconds(1),
            d.idleEviction(),
            d.maxConnections(),
            d.streamWindow(),
            d.connectionWindow());
    BlixardClient.Settings defaults = BlixardClient.Settings.defaults();
    return new BlixardClient.Settings(
        defaults.policy(),
        ClientOptions.defaults(),
        defaults.refreshInterval(),
        defaults.discoveryTimeout(),
        quic);
  }

  protected Node leader(List<Node> nodes) {
    for (int attempt = 0; attempt < 50; attempt++) {
      for (Node node : nodes) {
        Optional<String> leader = node.status().map(GetClusterStatusResponse::getLeaderId);
        if (leader.isPresent() && !leader.get().isEmpty()) {
          NodeId id = NodeId.parse(leader.get());
          return nodes.stream().filter(n -> id.equals(n.id)).findFirst().orElseThrow();
        }
      }
      sleep(Duration.ofMillis(200));
    }
    throw new IllegalStateException("no node names a leader");
  }

  private record NewLeader(NodeId leader, long at) {}

  private NewLeader awaitNewLeader(List<Node> nodes, Node killed, NodeId old) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      for (Node node : nodes) {
        if (node == killed) {
          continue;
        }
        Optional<String> leader = node.status().map(GetClusterStatusResponse::getLeaderId);
        if (leader.isPresent() && !leader.get().isEmpty() && !leader.get().equals(old.value())) {
          return new NewLeader(NodeId.parse(leader.get()), System.nanoTime());
        }
      }
      sleep(Duration.ofMillis(20));
    }
    throw new IllegalStateException("no new leader within 60 s of killing " + old);
  }

  // --- load

  /** What happened in one phase of the run. */
  protected static final class PhaseFigures {
    final AtomicLong calls = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong writes = new AtomicLong();
    final AtomicLong writesFailed = new AtomicLong();
    private final List<Long> latencies = new ArrayList<>();
    volatile long startedNanos = System.nanoTime();
    volatile long endedNanos;

    synchronized void record(long nanos) {
      calls.incrementAndGet();
      latencies.add(nanos);
    }

    /** The call latency at quantile {@code q} (0 to 1), in milliseconds; 0 without calls. */
    synchronized double quantileMillis(double q) {
      if (latencies.isEmpty()) {
        return 0;
      }
      List<Long> sorted = latencies.stream().sorted().toList();
      int at = (int) Math.min(sorted.size() - 1, Math.ceil(q * sorted.size()) - 1);
      return sorted.get(Math.max(0, at)) / 1e6;
    }
  }

  protected PhaseFigures figures(String name) {
    return phases.computeIfAbsent(name, n -> new PhaseFigures());
  }

  protected void enter(String name) {
    long now = System.nanoTime();
    PhaseFigures previous = phases.get(phase);
    if (previous != null) {
      previous.endedNanos = now;
    }
    figures(name).startedNanos = now;
    phase = name;
    System.out.println(runName + ": phase " + name);
  }

  protected void phase(String name, Duration length) {
    enter(name);
    sleep(length);
  }

  /** A client and a caller on every node, and the writer; started. */
  protected List<Thread> startLoad(List<Node> nodes) {
    List<Thread> threads = new ArrayList<>();
    for (Node node : nodes) {
      node.connect();
      threads.add(thread("caller-" + node.index, () -> call(node)));
    }
    threads.add(thread("writer", () -> write(nodes)));
    threads.forEach(Thread::start);
    return threads;
  }

  /** Lets the callers and the writer finish the call or write they are in, within {@code wait}. */
  protected void stopLoad(List<Thread> threads, Duration wait) throws InterruptedException {
    running = false;
    long deadline = System.nanoTime() + wait.toNanos();
    for (Thread thread : threads) {
      thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime())));
    }
    threads.forEach(Thread::interrupt);
  }

  private void call(Node node) {
    long n = 0;
    while (running) {
      if (!node.up) {
        sleep(Duration.ofMillis(50));
        continue;
      }
      node.callLock.lock();
      try {
        if (!node.up) {
          continue;
        }
        PhaseFigures figures = figures(phase);
        long started = System.nanoTime();
        try {
          switch ((int) (n++ % 3)) {
            case 0 ->
                HealthServiceGrpc.newBlockingStub(node.client.channel())
                    .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .ping(PingRequest.getDefaultInstance());
            case 1 ->
                StatusServiceGrpc.newBlockingStub(node.client.channel())
                    .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
            default ->
                MonitoringServiceGrpc.newBlockingStub(node.client.channel())
                    .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                    .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
          }
          figures.record(System.nanoTime() - started);
          node.calls.incrementAndGet();
        } catch (StatusRuntimeException e) {
          figures.record(System.nanoTime() - started);
          figures.failed.incrementAndGet();
          node.calls.incrementAndGet();
          node.failed.incrementAndGet();
          failures.add("node " + (node.index + 1) + ", " + phase + ": " + brief(e.getStatus()));
        }
      } finally {
        node.callLock.unlock();
      }
    }
  }

  private void write(List<Node> nodes) {
    CommandSigner operator = CommandSigner.of(TestOperator.identity());
    int next = 0;
    while (running) {
      Node node = nodes.get(next++ % nodes.size());
      if (!node.up) {
        continue;
      }
      node.writeLock.lock();
      try {
        if (!node.up) {
          continue;
        }
        NodeId admitted =
            NodeId.ofSubjectPublicKeyInfo(
                (runName + " write " + writeSequence.incrementAndGet())
                    .getBytes(StandardCharsets.UTF_8));
        PhaseFigures figures = figures(phase);
        SignedChange change =
            SignedChange.newBuilder()
                .setSignedCommand(
                    RegistryCommands.sign(
                            operator,
                            RegistryCommand.newBuilder()
                                .setAdmit(
                                    Admission.newBuilder()
                                        .setNodeId(admitted.value())
                                        .setComment(runName)))
                        .toByteString())
                .build();
        try {
          SecurityServiceGrpc.newBlockingStub(node.client.channel())
              .withDeadlineAfter(WRITE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
              .admit(change);
          acknowledged.add(admitted);
          figures.writes.incrementAndGet();
        } catch (StatusRuntimeException e) {
          // Not acknowledged: it may or may not have been committed, and counts for nothing.
          figures.writes.incrementAndGet();
          figures.writesFailed.incrementAndGet();
          writesFailed.incrementAndGet();
          writeFailures
              .computeIfAbsent(
                  "node " + (node.index + 1) + ", " + phase + ": " + brief(e.getStatus()),
                  k -> new AtomicLong())
              .incrementAndGet();
        }
      } finally {
        node.writeLock.unlock();
      }
      sleep(Duration.ofMillis(20));
    }
  }

  /**
   * Per node, the acknowledged writes it does not have, once every node had a minute to catch up.
   */
  protected Map<Integer, Set<NodeId>> awaitWrites(List<Node> nodes) {
    Set<NodeId> expected = Set.copyOf(acknowledged);
    Map<Integer, Set<NodeId>> missing = new TreeMap<>();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    for (Node node : nodes) {
      while (true) {
        Set<NodeId> absent = new java.util.HashSet<>(expected);
        try {
          SecurityServiceGrpc.newBlockingStub(node.observer)
              .withDeadlineAfter(5, TimeUnit.SECONDS)
              .listAdmissions(ListAdmissionsRequest.getDefaultInstance())
              .getAdmissionsList()
              .forEach(a -> absent.remove(NodeId.parse(a.getNodeId())));
        } catch (StatusRuntimeException e) {
          // Not answering yet: count it all missing unless it answers before the deadline.
        }
        missing.put(node.index + 1, absent);
        if (absent.isEmpty() || System.nanoTime() > deadline) {
          break;
        }
        sleep(Duration.ofMillis(500));
      }
    }
    return missing;
  }

  // --- figures

  protected long callsFailed() {
    return phases.values().stream().mapToLong(f -> f.failed.get()).sum();
  }

  /** The jar the nodes run: the build's, as failsafe names it. */
  protected static Path builtJar() {
    Path jar = Path.of(System.getProperty("blixard.jar", "target/blixard.jar")).toAbsolutePath();
    assertThat(jar).as("the built jar (run this test with failsafe after package)").isReadable();
    return jar;
  }

  /** A relay on the node's advertised QUIC address, to the address its listener binds. */
  protected static UdpRelay relayInFrontOf(Node node) {
    return new UdpRelay(
        new InetSocketAddress(node.host, node.quicPort),
        new InetSocketAddress(node.quicBind, node.quicPort));
  }

  /** The lines every run's figures end with: calls, attempts, fallbacks, leader, the report. */
  protected void appendCallFigures(StringBuilder out, Duration toNewLeader) {
    long calls = phases.values().stream().mapToLong(f -> f.calls.get()).sum();
    out.append("calls made: ")
        .append(calls)
        .append(", failed: ")
        .append(callsFailed())
        .append('\n');
    out.append("attempts by transport and status: ").append(attempts()).append('\n');
    out.append("fallbacks: ").append(fallbacks()).append('\n');
    out.append("time to a new leader: ").append(toNewLeader.toMillis()).append(" ms\n");
  }

  /** The report's lines, the first failures and where the nodes' logs are. */
  protected void appendReport(StringBuilder out) {
    report.forEach(line -> out.append(line).append('\n'));
    failures.stream().limit(10).forEach(f -> out.append("  failed: ").append(f).append('\n'));
    out.append("nodes' logs: ").append(dir).append('\n');
  }

  /** One line per phase, in the order they ran: length, calls, failures, latency, writes. */
  protected String phaseTable() {
    StringBuilder out = new StringBuilder();
    out.append(
        String.format(
            "%-26s %7s %8s %7s %8s %8s %8s %8s%n",
            "phase", "seconds", "calls", "failed", "p50 ms", "p99 ms", "writes", "w.failed"));
    for (var entry :
        phases.entrySet().stream()
            .sorted(
                Map.Entry.comparingByValue((a, b) -> Long.compare(a.startedNanos, b.startedNanos)))
            .toList()) {
      PhaseFigures f = entry.getValue();
      long end = f.endedNanos == 0 ? System.nanoTime() : f.endedNanos;
      out.append(
          String.format(
              "%-26s %7d %8d %7d %8.1f %8.1f %8d %8d%n",
              entry.getKey(),
              TimeUnit.NANOSECONDS.toSeconds(end - f.startedNanos),
              f.calls.get(),
              f.failed.get(),
              f.quantileMillis(0.5),
              f.quantileMillis(0.99),
              f.writes.get(),
              f.writesFailed.get()));
    }
    return out.toString();
  }

  protected Map<String, Long> attempts() {
    Map<String, Long> counts = new TreeMap<>();
    for (Timer timer : meters.find("blixard.client.attempts").timers()) {
      counts.merge(
          timer.getId().getTag("transport") + " " + timer.getId().getTag("status"),
          timer.count(),
          Long::sum);
    }
    return counts;
  }

  protected Map<String, Long> fallbacks() {
    Map<String, Long> counts = new LinkedHashMap<>();
    for (Counter counter : meters.find("blixard.client.fallbacks").counters()) {
      counts.merge(counter.getId().getTag("reason"), (long) counter.count(), Long::sum);
    }
    return counts;
  }

  // --- helpers

  /** A status's code and the start of its description: failures of one kind count as one. */
  private static String brief(io.grpc.Status status) {
    String description = String.valueOf(status.getDescription());
    return status.getCode()
        + " "
        + description.substring(0, Math.min(120, description.length()))
        + (status.getCause() == null
            ? ""
            : " (" + status.getCause().getClass().getSimpleName() + ")");
  }

  private static Thread thread(String name, Runnable body) {
    Thread thread = new Thread(body, "run-" + name);
    thread.setDaemon(true);
    return thread;
  }

  protected static void sleep(Duration length) {
    try {
      Thread.sleep(length.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
