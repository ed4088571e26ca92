package io.blixard.support;

import io.blixard.BlixardApplication;
import io.blixard.cluster.ClusterView;
import io.blixard.cluster.RaftState;
import io.blixard.node.NodeAddress;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.transport.Transport;
import io.blixard.transport.grpc.GrpcChannelFactory;
import io.grpc.ManagedChannel;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * One whole node of a test cluster: a Spring context on free ports with its own data directory,
 * short Raft timeouts, and a gRPC channel to it when it listens on gRPC (a {@link #startQuic
 * quic-mode} node has none). Several live in one JVM.
 */
public final class TestNode implements AutoCloseable {

  /**
   * The pre-shared join token every test node is started with (as docker-compose starts nodes): the
   * first node creates it, joiners present it. A test of admission overrides {@code
   * blixard.cluster.join-token}.
   */
  public static final String JOIN_TOKEN = "testnode.0123456789abcdef0123456789abcdef";

  /** What makes a node quic-mode: no gRPC listener, Raft on the QUIC listener. */
  public static final List<String> QUIC_MODE =
      List.of(
          "--blixard.transport.mode=quic",
          "--blixard.transport.strategy.raft-transport=always-quic");

  private final Path dataDir;
  private final ConfigurableApplicationContext context;
  private final ManagedChannel channel;
  private final int raftPort;
  private final Optional<Integer> quicPort;
  private final NodeId id;
  private final List<Class<?>> sources;

  private TestNode(Path dataDir, ConfigurableApplicationContext context, List<Class<?>> sources) {
    this.dataDir = dataDir;
    this.sources = sources;
    this.context = context;
    this.raftPort =
        bean(NodeEndpoints.class).address(NodeEndpoints.Kind.RAFT).orElseThrow().getPort();
    this.quicPort =
        bean(NodeEndpoints.class).address(NodeEndpoints.Kind.QUIC).map(a -> a.getPort());
    this.id = bean(NodeIdentity.class).nodeId();
    // Plaintext or TLS as the node's own gRPC listener speaks, presenting the test operator's
    // certificate: what an operator's command line does.
    GrpcChannelFactory nodeChannels = bean(GrpcChannelFactory.class);
    this.channel =
        bean(NodeEndpoints.class).address(NodeEndpoints.Kind.GRPC).isEmpty()
            ? null
            : GrpcChannelFactory.of(
                    nodeChannels.tls(), TestOperator.identity(), Duration.ofSeconds(5))
                .newChannel(NodeAddress.of("127.0.0.1", grpcPort()));
  }

  /**
   * Starts a quic-mode node on {@code dataDir}: no gRPC listener, Raft over QUIC; {@code extraArgs}
   * as for {@link #start(Path, String...)}.
   */
  public static TestNode startQuic(Path dataDir, String... extraArgs) {
    List<String> args = new ArrayList<>(QUIC_MODE);
    args.addAll(List.of(extraArgs));
    return start(dataDir, args.toArray(String[]::new));
  }

  /** Starts a quic-mode node that joins the cluster through {@code member}'s QUIC address. */
  public static TestNode joinQuic(Path dataDir, TestNode member, String... extraArgs) {
    List<String> args = new ArrayList<>(QUIC_MODE);
    args.add("--blixard.cluster.join=" + member.quicMemberAddress());
    args.addAll(List.of(extraArgs));
    return start(dataDir, args.toArray(String[]::new));
  }

  /** Starts a node on {@code dataDir}; {@code extraArgs} are more {@code --key=value} arguments. */
  public static TestNode start(Path dataDir, String... extraArgs) {
    return start(List.of(), dataDir, extraArgs);
  }

  /**
   * Starts a node with more configuration {@code sources} beside the application (classes with
   * {@code @Bean} methods, not annotated, so that component scanning never picks them up for other
   * tests' nodes): how a test stands a node of another build in.
   */
  public static TestNode start(List<Class<?>> sources, Path dataDir, String... extraArgs) {
    Map<String, String> args = new LinkedHashMap<>();
    for (String arg :
        List.of(
            "--blixard.node.data-dir=" + dataDir,
            "--blixard.cluster.raft.port=0",
            "--blixard.cluster.raft.bind-address=127.0.0.1",
            "--blixard.cluster.raft.election-timeout-min=1s",
            "--blixard.cluster.raft.election-timeout-max=2s",
            "--blixard.cluster.peer-timeout=4s",
            "--blixard.cluster.peers.probe-interval=200ms",
            "--blixard.cluster.peers.probe-timeout=1s",
            "--blixard.cluster.join-retry.timeout=30s",
            "--blixard.transport.grpc.port=0",
            "--blixard.transport.grpc.bind-address=127.0.0.1",
            "--blixard.transport.quic.port=0",
            "--blixard.transport.quic.bind-address=127.0.0.1",
            "--blixard.transport.mode=dual",
            "--blixard.security.bootstrap-token=" + JOIN_TOKEN,
            "--blixard.cluster.join-token=" + JOIN_TOKEN)) {
      put(args, arg);
    }
    for (String arg : extraArgs) {
      put(args, arg);
    }
    // Arguments, not default properties: they must win over ./application.yml.
    List<Class<?>> all = new ArrayList<>(List.of(BlixardApplication.class));
    all.addAll(sources);
    ConfigurableApplicationContext context =
        new SpringApplicationBuilder(all.toArray(Class<?>[]::new))
            .web(WebApplicationType.NONE)
            .run(args.values().toArray(String[]::new));
    return new TestNode(dataDir, context, List.copyOf(sources));
  }

  /** A later argument for the same key replaces the earlier one. */
  private static void put(Map<String, String> args, String arg) {
    int eq = arg.indexOf('=');
    args.put(eq < 0 ? arg : arg.substring(0, eq), arg);
  }

  /**
   * Stops this node and starts it again on the same data directory and Raft port (the other members
   * know it by that address), with the given extra arguments.
   */
  public TestNode restart(String... extraArgs) {
    return restart(sources, extraArgs);
  }

  /** {@link #restart(String...)} with other configuration sources, as after an upgrade. */
  public TestNode restart(List<Class<?>> sources, String... extraArgs) {
    close();
    List<String> args = new ArrayList<>();
    // The QUIC port too: with Raft over QUIC it is the address the other members know.
    quicPort.ifPresent(port -> args.add("--blixard.transport.quic.port=" + port));
    args.addAll(List.of(extraArgs));
    args.add("--blixard.cluster.raft.port=" + raftPort);
    return start(sources, dataDir, args.toArray(String[]::new));
  }

  /**
   * Stops this node and starts it again on the same data directory and QUIC port in quic mode (the
   * other members know an always-quic node by its QUIC address): a step of a rolling move to QUIC.
   */
  public TestNode restartQuic(String... extraArgs) {
    int quic = quicPort();
    close();
    List<String> args = new ArrayList<>(QUIC_MODE);
    args.add("--blixard.transport.quic.port=" + quic);
    args.addAll(List.of(extraArgs));
    return start(sources, dataDir, args.toArray(String[]::new));
  }

  public int raftPort() {
    return raftPort;
  }

  /** Starts a node that joins the cluster through {@code member}. */
  public static TestNode join(Path dataDir, TestNode member, String... extraArgs) {
    return join(List.of(), dataDir, member, extraArgs);
  }

  /** {@link #join(Path, TestNode, String...)} with more configuration sources. */
  public static TestNode join(
      List<Class<?>> sources, Path dataDir, TestNode member, String... extraArgs) {
    List<String> args = new ArrayList<>(List.of("--blixard.cluster.join=" + member.grpcAddress()));
    args.addAll(List.of(extraArgs));
    return start(sources, dataDir, args.toArray(String[]::new));
  }

  /**
   * The local operator of this node's user, an operator of the cluster when this node was first.
   */
  public NodeIdentity operator() {
    return TestOperator.identity();
  }

  public Path dataDir() {
    return dataDir;
  }

  public ConfigurableApplicationContext context() {
    return context;
  }

  public <T> T bean(Class<T> type) {
    return context.getBean(type);
  }

  public NodeId id() {
    return id;
  }

  public RaftState raft() {
    return bean(ClusterView.class).requireState();
  }

  public int grpcPort() {
    return bean(NodeEndpoints.class).address(NodeEndpoints.Kind.GRPC).orElseThrow().getPort();
  }

  public String grpcAddress() {
    return "127.0.0.1:" + grpcPort();
  }

  public int quicPort() {
    return bean(NodeEndpoints.class).address(NodeEndpoints.Kind.QUIC).orElseThrow().getPort();
  }

  /** This node as a QUIC member address, {@code NODEID@127.0.0.1:quicPort}. */
  public String quicMemberAddress() {
    return id.value() + "@127.0.0.1:" + quicPort();
  }

  /** A channel to this node over gRPC, as the test operator. */
  public ManagedChannel channel() {
    if (channel == null) {
      throw new IllegalStateException(this + " has no gRPC listener (expected: mode grpc or dual)");
    }
    return channel;
  }

  /** A channel to this node over the transport; the caller closes it. */
  public TestChannels.Opened open(Transport transport) {
    return TestChannels.open(transport, bean(NodeEndpoints.class), bean(NodeIdentity.class));
  }

  public boolean isRunning() {
    return context.isActive();
  }

  @Override
  public void close() {
    if (channel != null) {
      channel.shutdownNow();
      try {
        channel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    context.close();
  }

  /** How many calls of {@code service}'s {@code method} this node served over {@code transport}. */
  public long callsServed(String transport, String service, String method) {
    return bean(MeterRegistry.class)
        .find("blixard.rpc.server")
        .tag("transport", transport)
        .tag("service", service)
        .tag("method", method)
        .timers()
        .stream()
        .mapToLong(Timer::count)
        .sum();
  }

  @Override
  public String toString() {
    return "node " + id().shortForm() + " (" + dataDir + ")";
  }
}
