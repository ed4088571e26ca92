package io.blixard;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.bench.NetNamespace;
import io.blixard.bench.Processes;
import io.blixard.node.NodeId;
import io.blixard.support.UdpRelay;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A chaos run ({@link ProcessClusterRun}): three nodes from the built jar as processes, a client on
 * every node calling without pause over both transports (the nodes send half of health and status
 * calls over QUIC, fallback on), an operator writing to the registry throughout, and in sequence:
 * kill -9 of the leader, its restart on the same data directory, the QUIC listener of one node gone
 * and back, 5 % packet loss each way on the link of the node in a network namespace. Asserted: no
 * call failed, every acknowledged registry write is on every node afterwards, and once the faults
 * are over every write is acknowledged. Run by failsafe with {@code -Pchaos} (docs/reliability.md,
 * "Chaos run"); each phase lasts {@code chaos.phase.seconds} (default 30), and {@code
 * chaos.loss=false} leaves the network namespace and the loss phase out.
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
class ChaosProcessIntegrationTest extends ProcessClusterRun {

  private static final Duration PHASE = Duration.ofSeconds(Long.getLong("chaos.phase.seconds", 30));
  private static final int LOSS_PERCENT = 5;

  /** The node behind the UDP relay. */
  private static final int RELAYED = 1;

  ChaosProcessIntegrationTest() {
    super("Chaos run");
  }

  @Override
  protected List<String> nodeArguments() {
    // Half of the health and status calls over each transport.
    return List.of(
        "--blixard.transport.strategy.quic-share.health=50",
        "--blixard.transport.strategy.quic-share.status=50");
  }

  @Test
  void nothingAcknowledgedIsLostAndNoCallFails() throws Exception {
    Path jar = builtJar();
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
      try (UdpRelay relay = relayInFrontOf(relayed)) {
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

  private void printFigures(
      List<Node> nodes, Map<Integer, Set<NodeId>> missing, Duration toNewLeader) {
    for (Node node : nodes) {
      report.add(
          "node " + (node.index + 1) + ": " + node.calls + " calls, " + node.failed + " failed");
    }
    StringBuilder out =
        new StringBuilder("Chaos run figures (phase " + PHASE.toSeconds() + " s)\n");
    out.append(phaseTable());
    long writes = phases.values().stream().mapToLong(f -> f.writes.get()).sum();
    appendCallFigures(out, toNewLeader);
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
    appendReport(out);
    System.out.print(out);
  }
}
