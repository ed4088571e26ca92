package io.blixard.bench;

import io.blixard.node.NodeIdentity;
import io.blixard.security.OperatorIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.BiConsumer;
import org.HdrHistogram.Histogram;

/**
 * The Raft section of the benchmark: a three-node cluster with Raft over Ratis's gRPC and one with
 * Raft over Blixard RPC on QUIC, side by side in the same three network namespaces; in every round
 * and at every loss, registry writes in a closed loop through each cluster's leader, then each
 * leader killed with SIGKILL and the time until its survivors agree on a new one.
 */
final class RaftSection {

  /** The workload of the write cells. */
  static final String WRITES = "raft-write";

  /** The workload of the kills: each "call" is one kill, its latency the time to a new leader. */
  static final String FAILOVER = "raft-failover";

  /** The Raft transports compared: report name and {@code raft-transport} value. */
  static final List<List<String>> TRANSPORTS =
      List.of(List.of("raft-grpc", "always-grpc"), List.of("raft-quic", "always-quic"));

  /** The pause after restarts before the next measurement. */
  static final Duration SETTLE = Duration.ofSeconds(3);

  private final Settings settings;
  private final Path jar;
  private final BiConsumer<Measurement, String> record;
  private final List<String> notes;

  RaftSection(
      Settings settings, Path jar, BiConsumer<Measurement, String> record, List<String> notes) {
    this.settings = settings;
    this.jar = jar;
    this.record = record;
    this.notes = notes;
  }

  void run() throws Exception {
    var reason = NetNamespace.unavailableReason();
    if (reason.isPresent()) {
      String why = "Raft section skipped: " + reason.get() + ".";
      System.out.println("bench: " + why);
      notes.add(why);
      return;
    }
    Path work = Files.createTempDirectory("blixard-bench-raft");
    System.out.println("bench: raft, logs in " + work);
    NodeIdentity operator = OperatorIdentity.loadOrCreate(work.resolve("operator"));
    List<RaftCluster> clusters = new ArrayList<>();
    List<RaftWriteTarget> targets = new ArrayList<>();
    try (RaftNetwork network =
            new RaftNetwork(RaftNetwork.Layout.standard(), NetNamespace::runCommand);
        Processes processes = new Processes(work)) {
      // Processes first, then the namespaces they run in, also on Ctrl-C.
      Thread teardown =
          new Thread(
              () -> {
                processes.close();
                network.close();
              },
              "raft-teardown");
      Runtime.getRuntime().addShutdownHook(teardown);
      try {
        network.create();
        for (List<String> transport : TRANSPORTS) {
          RaftCluster cluster =
              new RaftCluster(
                  transport.get(0), transport.get(1), network, processes, jar, work, operator);
          clusters.add(cluster);
          targets.add(new RaftWriteTarget(transport.get(0), cluster));
        }
        startTogether(clusters);
        notes.add(
            "Raft section: each cluster's three nodes run in three network namespaces on one"
                + " bridge (both clusters share them); loss drops that share of the packets each"
                + " node sends to another node, so only Raft traffic is lost. The client writes over"
                + " gRPC-TLS to the leader in both cases: only the Raft transport differs. Each"
                + " write cell: "
                + settings.raft().warmUp().toMillis()
                + " ms of warm-up, then "
                + settings.raft().bound().toMillis()
                + " ms measured; "
                + settings.raft().kills()
                + " kill(s) per cluster, loss and round, each followed by a restart, a catch-up"
                + " and "
                + SETTLE.toSeconds()
                + " s of rest before the next measurement.");
        run(network, clusters, targets);
      } finally {
        targets.forEach(RaftWriteTarget::close);
        clusters.forEach(RaftCluster::close);
        processes.close();
        network.close();
        Runtime.getRuntime().removeShutdownHook(teardown);
      }
    }
  }

  /** Starts the clusters at once: nothing is measured yet, and start-up is most of the wait. */
  private static void startTogether(List<RaftCluster> clusters) throws Exception {
    List<CompletableFuture<Void>> started = new ArrayList<>();
    for (RaftCluster cluster : clusters) {
      System.out.println("bench: starting " + cluster.name());
      started.add(
          CompletableFuture.runAsync(
              () -> {
                try {
                  cluster.start();
                } catch (Exception e) {
                  throw new CompletionException(e);
                }
              }));
    }
    try {
      CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).join();
    } catch (CompletionException e) {
      throw e.getCause() instanceof Exception cause ? cause : e;
    }
  }

  private void run(RaftNetwork network, List<RaftCluster> clusters, List<RaftWriteTarget> targets)
      throws Exception {
    Settings.Raft raft = settings.raft();
    System.out.println(
        "bench: raft, warming up every cluster for " + settings.jitWarmUp().toSeconds() + " s");
    for (RaftWriteTarget target : targets) {
      target.prepare(16);
      LoadRunner.unary(target, 0, 16, 0, Duration.ZERO, settings.jitWarmUp(), Long.MAX_VALUE);
    }
    int rotation = 0;
    for (int round = 1; round <= settings.rounds(); round++) {
      System.out.println("bench: raft, round " + round + " of " + settings.rounds());
      for (int loss : raft.losses()) {
        network.setLoss(loss);
        System.out.println("bench: raft, " + loss + " % loss between the nodes");
        for (int c : raft.concurrencies()) {
          for (RaftWriteTarget target : BenchMain.rotate(targets, rotation++)) {
            target.prepare(c);
            Measurement m =
                LoadRunner.unary(target, 0, c, loss, raft.warmUp(), raft.bound(), Long.MAX_VALUE);
            record.accept(
                m.as(WRITES, target.requestBytes(), round),
                "writes c=" + c + (loss > 0 ? " loss=" + loss + "%" : ""));
          }
        }
        boolean last =
            round == settings.rounds()
                && loss == raft.losses().get(raft.losses().size() - 1);
        failovers(clusters, loss, round, rotation++, last);
      }
      network.setLoss(0);
    }
  }

  /**
   * Kills each cluster's leader in turn, then restarts both, {@code kills} times; after the {@code
   * last} kill of the run nothing is measured any more, and the killed nodes stay down.
   */
  private void failovers(
      List<RaftCluster> clusters, int loss, int round, int rotation, boolean last)
      throws Exception {
    List<Histogram> times = new ArrayList<>();
    long[] failed = new long[clusters.size()];
    clusters.forEach(c -> times.add(Measurement.newHistogram()));
    long began = System.nanoTime();
    for (int kill = 0; kill < settings.raft().kills(); kill++) {
      List<RaftCluster.Failover> failovers = new ArrayList<>();
      List<RaftCluster> order = BenchMain.rotate(clusters, rotation + kill);
      for (RaftCluster cluster : order) {
        RaftCluster.Failover f = cluster.killLeader();
        int at = clusters.indexOf(cluster);
        f.toNewLeader()
            .ifPresentOrElse(d -> times.get(at).recordValue(d.toNanos()), () -> failed[at]++);
        System.out.printf(
            "      %s: leader node %d killed, new leader after %s%n",
            cluster.name(),
            f.killed().index,
            f.toNewLeader().map(d -> d.toMillis() + " ms").orElse("(none within 60 s)"));
        failovers.add(f);
      }
      if (last && kill == settings.raft().kills() - 1) {
        break;
      }
      // Both restart together, after both kills: no restart's CPU lands in a measurement.
      for (int i = 0; i < order.size(); i++) {
        order.get(i).restart(failovers.get(i).killed());
      }
      for (RaftCluster cluster : order) {
        cluster.awaitReady();
      }
      // The restarted JVMs go on compiling for a while after they caught up.
      Thread.sleep(SETTLE.toMillis());
    }
    double seconds = (System.nanoTime() - began) / 1e9;
    for (int i = 0; i < clusters.size(); i++) {
      record.accept(
          Measurement.of(clusters.get(i).name(), FAILOVER, 0, 1, loss, times.get(i), failed[i],
                  seconds)
              .as(FAILOVER, 0, round),
          "kill -9 leader" + (loss > 0 ? " loss=" + loss + "%" : ""));
    }
  }
}
