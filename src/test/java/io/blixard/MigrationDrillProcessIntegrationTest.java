package io.blixard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blixard.bench.Processes;
import io.blixard.cli.BlixardCliAccess;
import io.blixard.node.NodeId;
import io.blixard.proto.transport.v1.GetTransportInfoRequest;
import io.blixard.proto.transport.v1.TransportServiceGrpc;
import io.blixard.support.UdpRelay;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The migration drill ({@link ProcessClusterRun}): three nodes as processes, a client on every node
 * calling health, status and monitoring without pause and following the cluster's strategy, and
 * registry writes throughout, while the cluster-wide strategy moves the three services from gRPC to
 * a 50 % QUIC canary and on to QUIC. On the way: a bad canary (the QUIC path of one node made slow
 * by the relay in front of its listener) that the canary guard must set back on its own; the leader
 * killed between two steps of the move; that node's QUIC listener gone and back; and at the end the
 * whole move undone by one rollback command. Asserted: no call failed, no acknowledged write lost,
 * every node applied every strategy version, the guard set the bad canary back. Reported: per
 * phase, calls, failures and p50/p99 against the steady state; per strategy version, the time until
 * every node applied it. Run by failsafe with {@code -Pdrill} (docs/migration-drill.md); each phase
 * lasts {@code drill.phase.seconds} (default 20).
 */
@Timeout(value = 20, unit = TimeUnit.MINUTES)
class MigrationDrillProcessIntegrationTest extends ProcessClusterRun {

  private static final Duration PHASE = Duration.ofSeconds(Long.getLong("drill.phase.seconds", 20));
  private static final List<String> SERVICES = List.of("health", "status", "monitoring");
  private static final Duration SLOW_PATH = Duration.ofMillis(150);
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The node behind the UDP relay: its QUIC path is made slow, then goes away and comes back. */
  private static final int RELAYED = 1;

  private final List<String> versions = new ArrayList<>();
  private List<String> history = List.of();
  private boolean guardSetBack;

  MigrationDrillProcessIntegrationTest() {
    super("Migration drill");
  }

  @Override
  protected List<String> nodeArguments() {
    // Every service over gRPC to begin with (the defaults); the guard judges over short windows so
    // that the drill stays short, and the nodes probe each other often enough to give it samples.
    return List.of(
        "--blixard.cluster.peers.probe-interval=200ms",
        "--blixard.transport.strategy.guard.window=10s",
        "--blixard.transport.strategy.guard.interval=1s",
        "--blixard.transport.strategy.guard.min-samples=20");
  }

  @Test
  void theClusterMovesToQuicAndBackWithoutAFailedCall() throws Exception {
    Path jar = builtJar();
    List<Node> nodes = new ArrayList<>();
    nodes.add(new Node(0, List.of(), "127.0.0.1", "127.0.0.1"));
    nodes.add(new Node(1, List.of(), "127.0.0.2", "127.0.1.2"));
    nodes.add(new Node(2, List.of(), "127.0.0.3", "127.0.0.3"));
    Node relayed = nodes.get(RELAYED);
    List<Thread> load = new ArrayList<>();
    try (Processes processes = new Processes(dir);
        UdpRelay relay = relayInFrontOf(relayed)) {
      relay.start();
      startCluster(processes, jar, nodes);
      nodes.forEach(node -> report.add(node.describe()));
      // Three JVMs that just started are still compiling: not the steady state to compare with.
      enter("warm-up, gRPC");
      load.addAll(startLoad(nodes));
      sleep(PHASE);
      phase("steady, gRPC", PHASE);

      enter("canary, 50 % QUIC");
      for (String service : SERVICES) {
        set(nodes, service, 50, "drill: canary");
      }
      sleep(PHASE);

      enter("bad canary, slow QUIC path");
      relay.delay(SLOW_PATH);
      try {
        guardSetBack = awaitGuard(nodes, "health", Duration.ofSeconds(90));
      } finally {
        relay.delay(Duration.ZERO);
      }
      phase("canary path healthy again", PHASE.dividedBy(2));
      set(nodes, "health", 50, "drill: canary again, the path is healthy");
      sleep(PHASE.dividedBy(2));

      enter("move to QUIC, leader killed");
      set(nodes, "health", 100, "drill: health over QUIC");
      Killed killed = killTheLeader(nodes);
      for (String service : SERVICES.subList(1, SERVICES.size())) {
        set(nodes, service, 100, "drill: " + service + " over QUIC");
      }
      sleep(PHASE);
      restart(processes, jar, killed.node());
      phase("all QUIC", PHASE);

      enter("QUIC listener gone");
      relay.stop();
      sleep(PHASE.dividedBy(2));
      relay.start();
      phase("QUIC listener back", PHASE.dividedBy(2));

      enter("rollback to gRPC");
      versions.add(timed(nodes, "rollback to v1", () -> cli(nodes, "rollback", "--to", "1")));
      sleep(PHASE);
      stopLoad(load, WRITE_DEADLINE.plusSeconds(5));

      Map<Integer, Set<NodeId>> missing = awaitWrites(nodes);
      history = history(nodes);
      printFigures(nodes, missing, killed.toNewLeader());
      assertThat(guardSetBack).as("the guard set the bad canary back").isTrue();
      assertThat(missing.values().stream().mapToLong(Set::size).max().orElse(0))
          .as("acknowledged registry writes missing on some node: %s", missing)
          .isZero();
      assertThat(callsFailed())
          .as("calls failed (first ones: %s)", failures.stream().limit(10).toList())
          .isZero();
    } finally {
      stopLoad(load, Duration.ofSeconds(5));
      nodes.forEach(Node::close);
    }
  }

  // --- the strategy

  /** Sets a service's QUIC share through any node that takes it, and times its application. */
  private void set(List<Node> nodes, String service, int share, String reason) {
    versions.add(
        timed(
            nodes,
            service + " quic-share " + share + "%",
            () ->
                cli(
                    nodes,
                    "set",
                    "--service",
                    service,
                    "--quic-share",
                    Integer.toString(share),
                    "--reason",
                    reason)));
  }

  private interface Change {
    long apply();
  }

  /**
   * Makes the change, then waits until every running node follows the version it became: one line
   * of the report.
   */
  private String timed(List<Node> nodes, String what, Change change) {
    long started = System.nanoTime();
    long version = change.apply();
    long answered = System.nanoTime();
    long deadline = answered + TimeUnit.SECONDS.toNanos(60);
    for (Node node : nodes) {
      while (node.up && followed(node) < version) {
        assertThat(System.nanoTime())
            .as("node %d follows strategy v%d within 60 s", node.index + 1, version)
            .isLessThan(deadline);
        sleep(Duration.ofMillis(20));
      }
    }
    long command = TimeUnit.NANOSECONDS.toMillis(answered - started);
    long followed = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - answered);
    return String.format(
        "v%-3d %-34s command %5d ms, then every node within %5d ms",
        version, what, command, followed);
  }

  /** The strategy version the node follows; 0 when it does not answer. */
  private static long followed(Node node) {
    if (node.status().isEmpty()) {
      return 0;
    }
    try {
      return TransportServiceGrpc.newBlockingStub(node.observer)
          .withDeadlineAfter(1, TimeUnit.SECONDS)
          .getTransportInfo(GetTransportInfoRequest.getDefaultInstance())
          .getStrategy()
          .getVersion();
    } catch (StatusRuntimeException e) {
      return 0;
    }
  }

  /**
   * Runs {@code blixard strategy <args> --json} against the running nodes in turn until one takes
   * it (while a new leader is elected none may): the version it made.
   */
  private long cli(List<Node> nodes, String... args) {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    String last = "";
    while (System.nanoTime() < deadline) {
      for (Node node : nodes) {
        if (!node.up) {
          continue;
        }
        List<String> all = new ArrayList<>(List.of("strategy"));
        all.addAll(List.of(args));
        all.addAll(List.of("--json", "--node", node.host + ":" + node.grpcPort));
        String[] result = BlixardCliAccess.run(all.toArray(String[]::new));
        if (result[0].equals("0")) {
          try {
            return JSON.readTree(result[1]).get("version").asLong();
          } catch (Exception e) {
            throw new IllegalStateException("unreadable answer: " + result[1], e);
          }
        }
        last = "node " + (node.index + 1) + ": " + result[2].trim();
      }
      sleep(Duration.ofMillis(500));
    }
    throw new IllegalStateException("no node took strategy " + List.of(args) + ": " + last);
  }

  /** Waits for a guard's change of the service's share in the history; whether one came. */
  private boolean awaitGuard(List<Node> nodes, String service, Duration within) throws Exception {
    long started = System.nanoTime();
    long deadline = started + within.toNanos();
    while (System.nanoTime() < deadline) {
      for (Node node : nodes) {
        if (!node.up) {
          continue;
        }
        String[] result =
            BlixardCliAccess.run(
                "strategy", "history", "--json", "--node", node.host + ":" + node.grpcPort);
        if (!result[0].equals("0")) {
          continue;
        }
        for (JsonNode change : JSON.readTree(result[1]).get("changes")) {
          String text = change.get("change").asText();
          if (text.startsWith(service + " ") && text.contains("canary guard rollback")) {
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
            versions.add(
                String.format(
                    "v%-3d %-34s by the guard, %d ms after the path slowed: %s",
                    change.get("version").asLong(), text, millis, change.get("reason").asText()));
            return true;
          }
        }
        break;
      }
      sleep(Duration.ofMillis(250));
    }
    return false;
  }

  /** The cluster's strategy history as the first running node keeps it, a line a version. */
  private List<String> history(List<Node> nodes) throws Exception {
    for (Node node : nodes) {
      String[] result =
          BlixardCliAccess.run(
              "strategy", "history", "--json", "--node", node.host + ":" + node.grpcPort);
      if (result[0].equals("0")) {
        List<String> lines = new ArrayList<>();
        for (JsonNode change : JSON.readTree(result[1]).get("changes")) {
          lines.add(
              String.format(
                  "v%-3d %s (%s)",
                  change.get("version").asLong(),
                  change.get("change").asText(),
                  change.get("reason").asText()));
        }
        return lines;
      }
    }
    return List.of("no node answered strategy history");
  }

  // --- figures

  private void printFigures(
      List<Node> nodes, Map<Integer, Set<NodeId>> missing, Duration toNewLeader) {
    StringBuilder out =
        new StringBuilder("Migration drill figures (phase " + PHASE.toSeconds() + " s)\n");
    out.append(phaseTable());
    double steady = figures("steady, gRPC").quantileMillis(0.99);
    out.append("p99 against the steady state (")
        .append(String.format("%.1f ms", steady))
        .append("): ")
        .append(
            phases.entrySet().stream()
                .sorted(
                    Map.Entry.comparingByValue(
                        (a, b) -> Long.compare(a.startedNanos, b.startedNanos)))
                .map(
                    e ->
                        String.format(
                            "%s %.2fx",
                            e.getKey(),
                            steady == 0 ? 0 : e.getValue().quantileMillis(0.99) / steady))
                .collect(Collectors.joining(", ")))
        .append('\n');
    out.append("strategy versions:\n");
    versions.forEach(v -> out.append("  ").append(v).append('\n'));
    out.append("strategy history at the end:\n");
    history.forEach(v -> out.append("  ").append(v).append('\n'));
    appendCallFigures(out, toNewLeader);
    out.append("registry writes acknowledged: ")
        .append(acknowledged.size())
        .append(", not acknowledged: ")
        .append(writesFailed.get())
        .append(", acknowledged missing per node: ")
        .append(
            missing.entrySet().stream()
                .map(e -> "node " + e.getKey() + ": " + e.getValue().size())
                .collect(Collectors.joining(", ")))
        .append('\n');
    appendReport(out);
    System.out.print(out);
  }
}
