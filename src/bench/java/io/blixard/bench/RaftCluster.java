package io.blixard.bench;

import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.status.v1.GetClusterStatusRequest;
import io.blixard.proto.status.v1.GetClusterStatusResponse;
import io.blixard.proto.status.v1.StatusServiceGrpc;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Three secured nodes from the jar as processes, each in its own namespace of a {@link
 * RaftNetwork}, with Raft over one transport from their first start ({@code
 * blixard.transport.strategy.raft-transport}); the benchmark's client reaches them over gRPC-TLS,
 * as their operator, whatever their Raft transport.
 */
final class RaftCluster implements AutoCloseable {

  /** How long a node may take to start and see a leader of three voters. */
  static final Duration START = Duration.ofSeconds(240);

  /** How long the survivors may take to agree on a new leader. */
  static final Duration ELECTION = Duration.ofSeconds(60);

  private static final String JOIN_TOKEN = "raftbench.0123456789abcdef0123456789abcdef";

  /** One member: its process, ports and the channel the benchmark asks its status over. */
  final class Node {
    final int index;
    final String host;
    final int grpcPort;
    final int quicPort;
    final int raftPort;
    final int httpPort;
    final Path dataDir;
    volatile Process process;
    volatile NodeId id;
    private volatile GrpcChannels channels;
    private volatile Channel observer;

    Node(int index) throws Exception {
      this.index = index;
      this.host = network.layout().nodeAddress(index);
      this.grpcPort = Processes.freePort();
      this.quicPort = Processes.freePort();
      this.raftPort = Processes.freePort();
      this.httpPort = Processes.freePort();
      this.dataDir = work.resolve(name + "-node-" + index);
    }

    List<String> command(String how) {
      List<String> command =
          new ArrayList<>(
              Processes.nodeCommand(
                  network.exec(index), jar, dataDir, host, "dual", raftPort, grpcPort, quicPort,
                  httpPort, true, operator.nodeId()));
      command.add("--blixard.transport.strategy.raft-transport=" + raftTransport);
      command.addAll(
          Processes.clusterArguments(how, nodes.get(0).host + ":" + nodes.get(0).grpcPort,
              JOIN_TOKEN));
      return command;
    }

    void start(String how) throws Exception {
      closeObserver();
      process = processes.start(name + "-node-" + index + "-" + how, command(how));
    }

    /** This node's view of the group; empty when it does not answer within a second. */
    Optional<GetClusterStatusResponse> status() {
      try {
        if (observer == null) {
          if (id == null) {
            id = Processes.awaitNodeId(dataDir, process, START);
          }
          channels = GrpcChannels.tls(host, grpcPort, id, operator);
          observer = channels.open();
        }
        return Optional.of(
            StatusServiceGrpc.newBlockingStub(observer)
                .withDeadlineAfter(1, TimeUnit.SECONDS)
                .getClusterStatus(GetClusterStatusRequest.getDefaultInstance()));
      } catch (StatusRuntimeException e) {
        return Optional.empty();
      } catch (Exception e) {
        throw new IllegalStateException("node " + index + " of " + name + ": " + e, e);
      }
    }

    /** Waits until this node names a leader of a group of three voters. */
    void awaitReady() throws Exception {
      long deadline = System.nanoTime() + START.toNanos();
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              name + " node " + index + " exited with " + process.exitValue() + "; logs in "
                  + work);
        }
        Optional<GetClusterStatusResponse> s = status();
        if (s.isPresent()
            && !s.get().getLeaderId().isEmpty()
            && s.get().getNodesList().stream().filter(n -> n.getVoter()).count() == 3) {
          return;
        }
        if (System.nanoTime() > deadline) {
          throw new IllegalStateException(
              name + " node " + index + " knows no leader of three voters after " + START
                  + "; logs in " + work);
        }
        Thread.sleep(200);
      }
    }

    private void closeObserver() {
      if (observer != null) {
        channels.close(observer);
        observer = null;
      }
    }
  }

  private final String name;
  private final String raftTransport;
  private final RaftNetwork network;
  private final Processes processes;
  private final Path jar;
  private final Path work;
  private final NodeIdentity operator;
  private final List<Node> nodes = new ArrayList<>();

  /**
   * A cluster named {@code name} (its nodes' logs are {@code <name>-node-<i>-*.log} in {@code
   * work}) with Raft over {@code raftTransport} ({@code always-grpc} or {@code always-quic}).
   */
  RaftCluster(
      String name,
      String raftTransport,
      RaftNetwork network,
      Processes processes,
      Path jar,
      Path work,
      NodeIdentity operator)
      throws Exception {
    this.name = name;
    this.raftTransport = raftTransport;
    this.network = network;
    this.processes = processes;
    this.jar = jar;
    this.work = work;
    this.operator = operator;
    for (int i = 1; i <= network.layout().nodes(); i++) {
      nodes.add(new Node(i));
    }
  }

  String name() {
    return name;
  }

  NodeIdentity operator() {
    return operator;
  }

  /** Node 1 bootstraps; once it leads, the others join it; returns when all name a leader. */
  void start() throws Exception {
    Node first = nodes.get(0);
    first.start("bootstrap");
    first.id = Processes.awaitNodeId(first.dataDir, first.process, START);
    long deadline = System.nanoTime() + START.toNanos();
    while (first.status().map(s -> s.getLeaderId().isEmpty()).orElse(true)) {
      if (!first.process.isAlive() || System.nanoTime() > deadline) {
        throw new IllegalStateException(
            name + " node 1 did not lead within " + START + "; logs in " + work);
      }
      Thread.sleep(200);
    }
    for (Node node : nodes.subList(1, nodes.size())) {
      node.start("join");
    }
    for (Node node : nodes) {
      node.awaitReady();
    }
  }

  /** The node a member names as leader. */
  Node leader() throws InterruptedException {
    long deadline = System.nanoTime() + ELECTION.toNanos();
    while (System.nanoTime() < deadline) {
      for (Node node : nodes) {
        if (node.process == null || !node.process.isAlive()) {
          continue;
        }
        Optional<String> leader = node.status().map(GetClusterStatusResponse::getLeaderId);
        if (leader.isPresent() && !leader.get().isEmpty()) {
          NodeId id = NodeId.parse(leader.get());
          Optional<Node> named = nodes.stream().filter(n -> id.equals(n.id)).findFirst();
          if (named.isPresent()) {
            return named.get();
          }
        }
      }
      Thread.sleep(100);
    }
    throw new IllegalStateException(name + ": no member names a leader within " + ELECTION);
  }

  /**
   * Kills the leader's process with SIGKILL and waits until every survivor names the same new
   * leader; returns the killed node and the time from the kill to that agreement, or empty time
   * when they did not agree within {@link #ELECTION}.
   */
  Failover killLeader() throws Exception {
    Node leader = leader();
    List<Node> survivors = nodes.stream().filter(n -> n != leader).toList();
    for (Node survivor : survivors) {
      // The channels are open before the clock starts: polling measures the election only.
      survivor.status();
    }
    long killed = System.nanoTime();
    leader.process.destroyForcibly();
    long deadline = killed + ELECTION.toNanos();
    while (System.nanoTime() < deadline) {
      String agreed = null;
      boolean all = true;
      for (Node survivor : survivors) {
        String named = survivor.status().map(GetClusterStatusResponse::getLeaderId).orElse("");
        if (named.isEmpty() || named.equals(leader.id.value())) {
          all = false;
          break;
        }
        if (agreed == null) {
          agreed = named;
        } else if (!agreed.equals(named)) {
          all = false;
        }
      }
      if (all) {
        return new Failover(leader, Optional.of(Duration.ofNanos(System.nanoTime() - killed)));
      }
      Thread.sleep(10);
    }
    return new Failover(leader, Optional.empty());
  }

  /** A killed leader, and how long until its survivors agreed on the next one. */
  record Failover(Node killed, Optional<Duration> toNewLeader) {}

  /** Starts a killed node again on its data directory (the group still knows it). */
  void restart(Node node) throws Exception {
    node.process.waitFor(10, TimeUnit.SECONDS);
    node.start("recover");
  }

  /**
   * Waits until every member names a leader of three voters and has applied the log up to the
   * leader's commit index (a restarted node has caught up), so that no catching up runs during
   * the next measurement.
   */
  void awaitReady() throws Exception {
    for (Node node : nodes) {
      node.awaitReady();
    }
    long deadline = System.nanoTime() + START.toNanos();
    while (true) {
      Optional<GetClusterStatusResponse> leading = leader().status();
      long commit = leading.map(GetClusterStatusResponse::getCommitIndex).orElse(Long.MAX_VALUE);
      boolean caughtUp = true;
      for (Node node : nodes) {
        long applied = node.status().map(GetClusterStatusResponse::getAppliedIndex).orElse(-1L);
        caughtUp &= applied >= commit;
      }
      if (caughtUp) {
        return;
      }
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException(
            name + ": a member has not applied the leader's commit index " + commit + " after "
                + START + "; logs in " + work);
      }
      Thread.sleep(200);
    }
  }

  @Override
  public void close() {
    for (Node node : nodes) {
      node.closeObserver();
    }
  }
}
