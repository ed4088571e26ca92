package io.blixard;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.bench.NetNamespace;
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
import java.io.IOException;
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
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.CleanupMode;
import org.junit.jupiter.api.io.TempDir;

/**
 * A chaos run: three nodes from the built jar as processes (dual transport, secured, the test
 * operator their one operator), a client on every node calling without pause over both transports
 * (the nodes send half of health and status calls over QUIC, fallback on), an operator writing to
 * the registry throughout, and in sequence: kill -9 of the leader, its restart on the same data
 * directory, the QUIC listener of one node gone and back, 5 % packet loss each way on the link of
 * the node in a network namespace. Asserted: no call failed, every acknowledged registry write is
 * on every node afterwards, and once the faults are over every write is acknowledged. Run by
 * failsafe with {@code -Pchaos} (docs/reliability.md, "Chaos run"); each phase lasts {@code
 * chaos.phase.seconds} (default 30), and {@code chaos.loss=false} leaves the network namespace and
 * the loss phase out.
 *
 * <p>The QUIC listener is taken away by a {@link UdpRelay} in front of it (the node has no run-time
 * switch for its listener): the node binds QUIC on a second loopback address and advertises the
 * relay's, and stopping the relay closes its sockets, so the clients' connections fall silent and
 * new ones are refused, as with a listener that went away without closing its connections. The
 * caller of a killed node is held while its process is gone (no transport can reach a process that
 * does not exist) and resumes with a new client once its node answers again.
 *
 * <p>Where network namespaces cannot be made (not root, no {@code ip} or {@code nft}) the nodes run
 * on 127.0.0.1 to 127.0.0.3 and the loss phase is skipped with a message; otherwise the third node
 * runs in a namespace joined to this one by a veth pair, and the other two on this end's address.
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class ChaosProcessIntegrationTest {

  private static final Duration PHASE = Duration.ofSeconds(Long.getLong("chaos.phase.seconds", 30));
  private static final Duration START = Duration.ofSeconds(240);
  private static final Duration CALL_DEADLINE = Duration.ofSeconds(10);
  private static final Duration WRITE_DEADLINE = Duration.ofSeconds(15);
  private static final String JOIN_TOKEN = "chaosrun.0123456789abcdef0123456789abcdef";
  private static final int LOSS_PERCENT = 5;

  /** The node behind the UDP relay. */
  private static final int RELAYED = 1;

  /** Kept when the run fails: the nodes' logs are in it. */
  @TempDir(cleanup = CleanupMode.ON_SUCCESS)
  Path dir;

  private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
  private final Map<String, PhaseFigures> phases = new ConcurrentHashMap<>();
  private final ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
  private final ConcurrentLinkedQueue<NodeId> acknowledged = new ConcurrentLinkedQueue<>();
  private final AtomicLong writesFailed = new AtomicLong();
  private final Map<String, AtomicLong> writeFailures = new ConcurrentHashMap<>();
  private final AtomicLong writeSequence = new AtomicLong();
  private final List<String> report = new ArrayList<>();
  private volatile String phase = "start";
  private volatile boolean running = true;

  @Test
  void nothingAcknowledgedIsLostAndNoCallFails() throws Exception {
    Path jar = Path.of(System.getProperty("blixard.jar", "target/blixard.jar")).toAbsolutePath();
    assertThat(jar).as("the built jar (run this test with failsafe after package)").isReadable();
    Optional<String> noNamespace =
        Boolean.parseBoolean(System.getProperty("chaos.loss", "true"))
            ? NetNamespace.unavailableReason()
            : Optional.of("left out (chaos.loss=false)");
    NetNamespace.Layout layout =
        new NetNamespace.Layout(
            "blixard-it-chaos", "blxc-host", "blxc-node", "10.203.79.1", "10.203.79.2");
    try (NetNamespace ns = new NetNamespace(layout, NetNamespace::runCommand);
        Processes processes = new Processes(dir)) {
      if (noNamespace.isEmpty()) {
        try {
          ns.create();
        } catch (IOException e) {
          ns.close();
          noNamespace = Optional.of("cannot make one: " + e.getMessage());
        }
      }
      List<Node> nodes = new ArrayList<>();
      if (noNamespace.isEmpty()) {
        nodes.add(new Node(0, List.of(), layout.hostAddress(), layout.hostAddress()));
        nodes.add(new Node(1, List.of(), layout.hostAddress(), "127.0.0.2"));
        nodes.add(new Node(2, ns.exec(), layout.nodeAddress(), layout.nodeAddress()));
      } else {
        nodes.add(new Node(0, List.of(), "127.0.0.1", "127.0.0.1"));
        nodes.add(new Node(1, List.of(), "127.0.0.2", "127.0.1.2"));
        nodes.add(new Node(2, List.of(), "127.0.0.3", "127.0.0.3"));
      }
      Node relayed = nodes.get(RELAYED);
      List<Thread> load = new ArrayList<>();
      try (UdpRelay relay =
          new UdpRelay(
              new InetSocketAddress(relayed.host, relayed.quicPort),
              new InetSocketAddress(relayed.quicBind, relayed.quicPort))) {
        relay.start();
        startCluster(processes, jar, nodes);
        nodes.forEach(node -> report.add(node.describe()));
        enter("steady");
        load.addAll(startLoad(nodes));
        sleep(PHASE);

        Killed killed = killTheLeader(nodes);
        sleep(PHASE);
        restart(processes, jar, killed.node());
        sleep(PHASE);

        enter("QUIC listener gone");
        relay.stop();
        sleep(PHASE);
        relay.start();
        phase("QUIC listener back", PHASE);

        if (noNamespace.isEmpty()) {
          enter(LOSS_PERCENT + " % loss");
          ns.setLoss(LOSS_PERCENT);
          try {
            sleep(PHASE);
          } finally {
            ns.setLoss(0);
          }
        } else {
          report.add("loss phase skipped: no network namespace: " + noNamespace.get());
          System.out.println(
              "Chaos run: loss phase skipped: no network namespace: " + noNamespace.get());
        }
        phase("recovered", PHASE.dividedBy(2));
        stopLoad(load, WRITE_DEADLINE.plusSeconds(5));

        Map<Integer, Set<NodeId>> missing = awaitWrites(nodes);
        printFigures(nodes, missing, killed.toNewLeader());
        long lost = missing.values().stream().mapToLong(Set::size).max().orElse(0);
        assertThat(lost)
            .as("acknowledged registry writes missing on some node: %s", missing)
            .isZero();
        // Once the faults are over, a write through any node goes through: none is left unable
        // to write (as a node whose Raft client Ratis had closed once was).
        assertThat(figures("recovered").writesFailed.get())
            .as("registry writes not acknowledged after the faults: %s", writeFailures)
            .isZero();
        assertThat(callsFailed())
            .as("calls failed (first ones: %s)", failures.stream().limit(10).toList())
            .isZero();
      } finally {
        stopLoad(load, Duration.ofSeconds(5));
        nodes.forEach(Node::close);
      }
    }
  }

  // --- the faults

  private record Killed(Node node, Duration toNewLeader) {}

  /** Kills the leader with SIGKILL and waits for a survivor to name another one. */
  private Killed killTheLeader(List<Node> nodes) {
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
  private void restart(Processes processes, Path jar, Node node) throws Exception {
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

  private final class Node {
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
              "--blixard.security.local-operator=false",
              // Half of the health and status calls over each transport.
              "--blixard.transport.strategy.quic-share.health=50",
              "--blixard.transport.strategy.quic-share.status=50"));
      switch (how) {
        case "bootstrap" -> command.add("--blixard.security.bootstrap-token=" + JOIN_TOKEN);
        case "join" -> {
          command.add("--blixard.cluster.join=" + first.host + ":" + first.grpcPort);
          command.add("--blixard.cluster.join-token=" + JOIN_TOKEN);
        }
        default -> {} // recover: the Raft state names the group and its members
      }
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

  private Node first;

  private void startCluster(Processes processes, Path jar, List<Node> nodes) throws Exception {
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

  private Node leader(List<Node> nodes) {
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

  private static final class PhaseFigures {
    final AtomicLong calls = new AtomicLong();
    final AtomicLong failed = new AtomicLong();
    final AtomicLong writes = new AtomicLong();
    final AtomicLong writesFailed = new AtomicLong();
    volatile long startedNanos = System.nanoTime();
    volatile long endedNanos;
  }

  private PhaseFigures figures(String name) {
    return phases.computeIfAbsent(name, n -> new PhaseFigures());
  }

  private void enter(String name) {
    long now = System.nanoTime();
    PhaseFigures previous = phases.get(phase);
    if (previous != null) {
      previous.endedNanos = now;
    }
    figures(name).startedNanos = now;
    phase = name;
    System.out.println("Chaos run: phase " + name);
  }

  private void phase(String name, Duration length) {
    enter(name);
    sleep(length);
  }

  /** A client and a caller on every node, and the writer; started. */
  private List<Thread> startLoad(List<Node> nodes) {
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
  private void stopLoad(List<Thread> threads, Duration wait) throws InterruptedException {
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
        try {
          if (n++ % 2 == 0) {
            HealthServiceGrpc.newBlockingStub(node.client.channel())
                .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .ping(PingRequest.getDefaultInstance());
          } else {
            StatusServiceGrpc.newBlockingStub(node.client.channel())
                .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
                .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
          }
          figures.calls.incrementAndGet();
          node.calls.incrementAndGet();
        } catch (StatusRuntimeException e) {
          figures.calls.incrementAndGet();
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
                ("chaos write " + writeSequence.incrementAndGet())
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
                                        .setComment("chaos run")))
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
  private Map<Integer, Set<NodeId>> awaitWrites(List<Node> nodes) {
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

  private long callsFailed() {
    return phases.values().stream().mapToLong(f -> f.failed.get()).sum();
  }

  private void printFigures(
      List<Node> nodes, Map<Integer, Set<NodeId>> missing, Duration toNewLeader) {
    for (Node node : nodes) {
      report.add(
          "node " + (node.index + 1) + ": " + node.calls + " calls, " + node.failed + " failed");
    }
    StringBuilder out =
        new StringBuilder("Chaos run figures (phase " + PHASE.toSeconds() + " s)\n");
    out.append(
        String.format(
            "%-22s %8s %8s %8s %8s %8s%n",
            "phase", "seconds", "calls", "failed", "writes", "w.failed"));
    long calls = 0;
    long writes = 0;
    for (var entry :
        phases.entrySet().stream()
            .sorted(
                Map.Entry.comparingByValue((a, b) -> Long.compare(a.startedNanos, b.startedNanos)))
            .toList()) {
      PhaseFigures f = entry.getValue();
      long end = f.endedNanos == 0 ? System.nanoTime() : f.endedNanos;
      calls += f.calls.get();
      writes += f.writes.get();
      out.append(
          String.format(
              "%-22s %8d %8d %8d %8d %8d%n",
              entry.getKey(),
              TimeUnit.NANOSECONDS.toSeconds(end - f.startedNanos),
              f.calls.get(),
              f.failed.get(),
              f.writes.get(),
              f.writesFailed.get()));
    }
    out.append("calls made: ")
        .append(calls)
        .append(", failed: ")
        .append(callsFailed())
        .append('\n');
    out.append("attempts by transport and status: ").append(attempts()).append('\n');
    out.append("fallbacks: ").append(fallbacks()).append('\n');
    out.append("time to a new leader: ").append(toNewLeader.toMillis()).append(" ms\n");
    out.append("registry writes: ")
        .append(writes)
        .append(", acknowledged: ")
        .append(acknowledged.size())
        .append(", not acknowledged: ")
        .append(writesFailed.get())
        .append('\n');
    writeFailures.forEach(
        (what, count) ->
            out.append("  not acknowledged: ")
                .append(what)
                .append(" x")
                .append(count)
                .append('\n'));
    out.append("acknowledged writes missing, per node: ")
        .append(
            missing.entrySet().stream()
                .map(e -> "node " + e.getKey() + ": " + e.getValue().size())
                .collect(Collectors.joining(", ")))
        .append('\n');
    report.forEach(line -> out.append(line).append('\n'));
    failures.stream().limit(10).forEach(f -> out.append("  failed: ").append(f).append('\n'));
    out.append("nodes' logs: ").append(dir).append('\n');
    System.out.print(out);
  }

  private Map<String, Long> attempts() {
    Map<String, Long> counts = new TreeMap<>();
    for (Timer timer : meters.find("blixard.client.attempts").timers()) {
      counts.merge(
          timer.getId().getTag("transport") + " " + timer.getId().getTag("status"),
          timer.count(),
          Long::sum);
    }
    return counts;
  }

  private Map<String, Long> fallbacks() {
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
    Thread thread = new Thread(body, "chaos-" + name);
    thread.setDaemon(true);
    return thread;
  }

  private static void sleep(Duration length) {
    try {
      Thread.sleep(length.toMillis());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
