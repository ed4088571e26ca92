package io.blixard.cli;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Timestamp;
import io.blixard.client.BlixardClient;
import io.blixard.proto.health.v1.CheckRequest;
import io.blixard.proto.health.v1.HealthCheck;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.proto.health.v1.PingRequest;
import io.blixard.proto.monitoring.v1.GetClusterHealthRequest;
import io.blixard.proto.monitoring.v1.GetMetricsRequest;
import io.blixard.proto.monitoring.v1.GetSystemInfoRequest;
import io.blixard.proto.monitoring.v1.MonitoringServiceGrpc;
import io.blixard.proto.status.v1.ClusterNode;
import io.blixard.proto.status.v1.GetClusterStatusRequest;
import io.blixard.proto.status.v1.GetRaftStatusRequest;
import io.blixard.proto.status.v1.StatusServiceGrpc;
import io.blixard.security.OperatorIdentity;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.AbstractBlockingStub;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** The {@code blixard} command line: asks a running node about its health, cluster and metrics. */
@Command(
    name = "blixard",
    mixinStandardHelpOptions = true,
    description = "Ask a Blixard node about its health, cluster and metrics.",
    subcommands = {
      BlixardCli.HealthCommand.class,
      BlixardCli.PingCommand.class,
      BlixardCli.StatusCommand.class,
      BlixardCli.RaftCommand.class,
      BlixardCli.MetricsCommand.class,
      BlixardCli.SysInfoCommand.class,
      BlixardCli.ClusterHealthCommand.class,
      StrategyCommand.class,
      ClusterCommand.class,
      WhoamiCommand.class,
      OperatorCommand.class
    })
public final class BlixardCli {

  /** Exit code of a call the node refused or failed. */
  static final int CALL_FAILED = 1;

  /** Exit code when the node cannot be reached. */
  static final int UNREACHABLE = 3;

  private static final Set<String> COMMANDS =
      Set.of(
          "health",
          "ping",
          "status",
          "raft",
          "metrics",
          "sysinfo",
          "cluster-health",
          "cluster",
          "strategy",
          "whoami",
          "operator",
          "help",
          "--help",
          "-h",
          "--version",
          "-V");

  /** Whether these arguments ask for the command line rather than a node. */
  public static boolean isCommand(String[] args) {
    return args.length > 0 && COMMANDS.contains(args[0]);
  }

  /** Runs the command line and returns its exit code. */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    return new CommandLine(new BlixardCli())
        .setExecutionExceptionHandler(BlixardCli::report)
        .setCaseInsensitiveEnumValuesAllowed(true);
  }

  private static int report(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
    PrintWriter err = cmd.getErr();
    if (e instanceof StatusRuntimeException sre) {
      Status status = sre.getStatus();
      CommandLine.ParseResult command = parsed;
      while (command.subcommand() != null) {
        command = command.subcommand();
      }
      String node = command == parsed ? "" : nodeOf(command);
      if (status.getCode() == Status.Code.UNAVAILABLE
          || status.getCode() == Status.Code.DEADLINE_EXCEEDED) {
        err.println(
            "blixard: cannot reach node " + node + ": " + status.getCode() + describe(status));
        return UNREACHABLE;
      }
      if (status.getCode() == Status.Code.UNAUTHENTICATED
          || status.getCode() == Status.Code.PERMISSION_DENIED) {
        // The node answered but would not serve this identity: say which one was presented.
        err.println(
            "blixard: node "
                + node
                + " refused the call: "
                + status.getCode()
                + describe(status)
                + "; this command line is operator "
                + OperatorIdentity.loadOrCreate(OperatorIdentity.defaultDirectory())
                    .nodeId()
                    .shortForm()
                + " (blixard whoami)");
        return CALL_FAILED;
      }
      err.println(
          "blixard: node " + node + " refused the call: " + status.getCode() + describe(status));
      return CALL_FAILED;
    }
    if (e instanceof StrategyCommand.RefusedException) {
      err.println("blixard: " + e.getMessage());
      return CALL_FAILED;
    }
    if (e instanceof StrategyCommand.UnreachableException) {
      err.println("blixard: " + e.getMessage());
      return UNREACHABLE;
    }
    if (e instanceof IllegalArgumentException) {
      err.println("blixard: " + e.getMessage());
      return CommandLine.ExitCode.USAGE;
    }
    err.println("blixard: " + e);
    return CALL_FAILED;
  }

  private static String nodeOf(CommandLine.ParseResult sub) {
    return sub.hasMatchedOption("--node") ? sub.matchedOptionValue("--node", "") : "127.0.0.1:7001";
  }

  private static String describe(Status status) {
    return status.getDescription() == null ? "" : " (" + status.getDescription() + ")";
  }

  private static final java.util.Map<String, String> FALLBACK_REASONS =
      java.util.Map.of(
          "unavailable", "the QUIC call failed before the node answered",
          "circuit_open", "the QUIC circuit to the node is open after repeated failures",
          "quic_unknown", "the node has no QUIC listener");

  /** What every command shares: connect, call with a deadline, print. */
  abstract static class NodeCommand implements Callable<Integer> {

    @Mixin NodeOptions options;
    @Spec CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    PrintWriter err() {
      return spec.commandLine().getErr();
    }

    <S extends AbstractBlockingStub<S>> S stub(Channel channel, Function<Channel, S> factory) {
      return factory
          .apply(channel)
          .withDeadlineAfter(options.timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public Integer call() throws Exception {
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      try (BlixardClient client = options.connect(meters)) {
        run(client.channel());
        out().flush();
        reportFallbacks(meters);
        return 0;
      }
    }

    /** Says on stderr when QUIC failed and the answer came over gRPC instead. */
    private void reportFallbacks(SimpleMeterRegistry meters) {
      for (Counter fallbacks : meters.find("blixard.client.fallbacks").counters()) {
        if (fallbacks.count() > 0) {
          spec.commandLine()
              .getErr()
              .println(
                  "blixard: answered over "
                      + fallbacks.getId().getTag("to")
                      + " instead of "
                      + fallbacks.getId().getTag("from")
                      + ": "
                      + FALLBACK_REASONS.getOrDefault(
                          fallbacks.getId().getTag("reason"), fallbacks.getId().getTag("reason")));
          spec.commandLine().getErr().flush();
        }
      }
    }

    abstract void run(Channel channel) throws Exception;

    /**
     * Prints the node's answer as JSON ({@link Json}) when --json is given; says whether it did.
     */
    boolean printedJson(MessageOrBuilder message) {
      if (options.json) {
        out().println(Json.write(message));
      }
      return options.json;
    }
  }

  @Command(name = "health", description = "The node's health checks (raft, storage, peers).")
  static final class HealthCommand extends NodeCommand {
    @Override
    void run(Channel channel) throws Exception {
      var response =
          stub(channel, HealthServiceGrpc::newBlockingStub)
              .check(CheckRequest.getDefaultInstance());
      if (printedJson(response)) {
        return;
      }
      out().println("node    " + response.getNodeId());
      out().println("status  " + name(response.getStatus().name()));
      out().println();
      Table table = new Table("CHECK", "STATUS", "DETAIL");
      for (HealthCheck check : response.getChecksList()) {
        table.row(check.getName(), name(check.getStatus().name()), check.getDetail());
      }
      table.print(out());
    }
  }

  @Command(name = "ping", description = "Round trips to the node, with their times.")
  static final class PingCommand extends NodeCommand {
    @Option(
        names = "--count",
        defaultValue = "1",
        description = "How many pings (default: ${DEFAULT-VALUE}).")
    int count;

    @Option(names = "--payload", defaultValue = "", description = "Text to send and get back.")
    String payload;

    @Override
    void run(Channel channel) throws Exception {
      if (count < 1) {
        throw new IllegalArgumentException("--count " + count + " (expected: >= 1)");
      }
      var stub = HealthServiceGrpc.newBlockingStub(channel);
      List<Pong> pongs = new ArrayList<>();
      for (int i = 0; i < count; i++) {
        long start = System.nanoTime();
        var reply =
            stub.withDeadlineAfter(options.timeout.toMillis(), TimeUnit.MILLISECONDS)
                .ping(
                    PingRequest.newBuilder().setPayload(ByteString.copyFromUtf8(payload)).build());
        double millis = (System.nanoTime() - start) / 1e6;
        if (options.json) {
          pongs.add(new Pong(i, reply.getNodeId(), Math.round(millis * 1000) / 1000.0));
        } else {
          out()
              .printf(
                  Locale.ROOT,
                  "pong from %s seq=%d time=%.2f ms%n",
                  shortId(reply.getNodeId()),
                  i,
                  millis);
        }
      }
      if (options.json) {
        out().println(Json.write(new PingReport(pongs)));
      }
    }

    /**
     * The pings of one command, as one JSON document.
     *
     * @param pings every answer, in order
     */
    record PingReport(List<Pong> pings) {}

    /**
     * One answer.
     *
     * @param sequence which ping, from 0
     * @param nodeId the node that answered
     * @param rttMillis round-trip time in milliseconds
     */
    record Pong(int sequence, String nodeId, double rttMillis) {}
  }

  @Command(name = "status", description = "The cluster: leader, term, and every node.")
  static final class StatusCommand extends NodeCommand {
    @Override
    void run(Channel channel) throws Exception {
      var response =
          stub(channel, StatusServiceGrpc::newBlockingStub)
              .getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
      if (printedJson(response)) {
        return;
      }
      out().println("leader  " + orNone(response.getLeaderId()));
      out().println("term    " + response.getTerm());
      out().println("group   " + response.getGroupId());
      out().println();
      Table table =
          new Table("NODE", "ROLE", "VOTER", "RAFT", "GRPC", "QUIC", "HTTP", "LAST CONTACT");
      Instant now = Instant.now();
      for (ClusterNode node : response.getNodesList()) {
        table.row(
            shortId(node.getNodeId()),
            name(node.getRole().name()),
            node.getVoter() ? "yes" : "no",
            orNone(node.getRaftAddress()),
            orNone(node.getGrpcAddress()),
            orNone(node.getQuicAddress()),
            orNone(node.getHttpAddress()),
            node.hasLastContact() ? ago(node.getLastContact(), now) : "-");
      }
      table.print(out());
    }
  }

  @Command(name = "raft", description = "The node's Raft state and, on the leader, its followers.")
  static final class RaftCommand extends NodeCommand {
    @Override
    void run(Channel channel) throws Exception {
      var r =
          stub(channel, StatusServiceGrpc::newBlockingStub)
              .getRaftStatus(GetRaftStatusRequest.getDefaultInstance());
      if (printedJson(r)) {
        return;
      }
      Table table = new Table("FIELD", "VALUE");
      table.row("node", r.getNodeId());
      table.row("role", name(r.getRole().name()));
      table.row("term", r.getTerm());
      table.row("leader", orNone(r.getLeaderId()));
      table.row("commit index", r.getCommitIndex());
      table.row("applied index", r.getAppliedIndex());
      table.row("last log index", r.getLastLogIndex());
      table.row("group", r.getGroupId());
      table.print(out());
      if (r.getFollowersCount() > 0) {
        out().println();
        Table followers = new Table("FOLLOWER", "MATCH", "NEXT", "LAG", "LAST CONTACT");
        r.getFollowersList()
            .forEach(
                f ->
                    followers.row(
                        shortId(f.getNodeId()),
                        f.getMatchIndex(),
                        f.getNextIndex(),
                        f.getLag(),
                        f.getLastContactMillis() + " ms ago"));
        followers.print(out());
      }
    }
  }

  @Command(name = "metrics", description = "The node's metrics in the Prometheus text format.")
  static final class MetricsCommand extends NodeCommand {
    @Override
    void run(Channel channel) throws Exception {
      var response =
          stub(channel, MonitoringServiceGrpc::newBlockingStub)
              .getMetrics(GetMetricsRequest.getDefaultInstance());
      if (!printedJson(response)) {
        out().print(response.getText());
      }
    }
  }

  @Command(name = "sysinfo", description = "Readings from the node's operating system and JVM.")
  static final class SysInfoCommand extends NodeCommand {
    @Override
    void run(Channel channel) throws Exception {
      var s =
          stub(channel, MonitoringServiceGrpc::newBlockingStub)
              .getSystemInfo(GetSystemInfoRequest.getDefaultInstance());
      if (printedJson(s)) {
        return;
      }
      Table table = new Table("READING", "VALUE");
      table.row("cpus", s.getCpuCount());
      table.row("load average (1m)", s.getLoadAverage1M() < 0 ? "n/a" : fmt(s.getLoadAverage1M()));
      table.row("process cpu", percent(s.getProcessCpuUsage()));
      table.row("system cpu", percent(s.getSystemCpuUsage()));
      table.row("memory", bytes(s.getMemoryUsedBytes()) + " of " + bytes(s.getMemoryTotalBytes()));
      table.row("heap", bytes(s.getHeapUsedBytes()) + " of " + bytes(s.getHeapMaxBytes()) + " max");
      table.row(
          "disk (" + s.getDataDir() + ")",
          bytes(s.getDiskUsedBytes()) + " of " + bytes(s.getDiskTotalBytes()));
      table.row(
          "uptime",
          Duration.ofSeconds(s.getUptime().getSeconds())
              .toString()
              .substring(2)
              .toLowerCase(Locale.ROOT));
      table.row("threads", s.getThreadCount());
      table.row("os", s.getOsName() + " " + s.getOsArch());
      table.row("jvm", s.getJvmVersion());
      table.print(out());
    }
  }

  @Command(name = "cluster-health", description = "Members, leader and failure tolerance.")
  static final class ClusterHealthCommand extends NodeCommand {
    @Override
    void run(Channel channel) throws Exception {
      var h =
          stub(channel, MonitoringServiceGrpc::newBlockingStub)
              .getClusterHealth(GetClusterHealthRequest.getDefaultInstance());
      if (printedJson(h)) {
        return;
      }
      Table table = new Table("FIELD", "VALUE");
      table.row("nodes", h.getNodesHealthy() + " healthy of " + h.getNodesTotal());
      table.row("leader", h.getLeaderPresent() ? h.getLeaderId() : "none");
      table.row("voters", h.getVoters());
      table.row("failure tolerance", h.getFailureTolerance() + " voter(s)");
      if (!h.getQuorumProblem().isEmpty()) {
        table.row("quorum", h.getQuorumProblem());
      }
      table.row("term", h.getTerm());
      table.row("commit index", h.getCommitIndex());
      table.print(out());
    }
  }

  private static String name(String enumName) {
    int underscore = enumName.lastIndexOf('_');
    return enumName.substring(underscore + 1);
  }

  private static String shortId(String nodeId) {
    return nodeId.length() > 12 ? nodeId.substring(0, 12) : nodeId;
  }

  private static String orNone(String value) {
    return value.isEmpty() ? "-" : value;
  }

  private static String ago(Timestamp t, Instant now) {
    long millis =
        Math.max(0, now.toEpochMilli() - (t.getSeconds() * 1000 + t.getNanos() / 1_000_000));
    return millis + " ms ago";
  }

  private static String fmt(double value) {
    return String.format(Locale.ROOT, "%.2f", value);
  }

  private static String percent(double usage) {
    return usage < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f %%", usage * 100);
  }

  private static String bytes(long bytes) {
    if (bytes < 1024) {
      return bytes + " B";
    }
    String[] units = {"KiB", "MiB", "GiB", "TiB"};
    double value = bytes;
    int unit = -1;
    while (value >= 1024 && unit < units.length - 1) {
      value /= 1024;
      unit++;
    }
    return String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
  }
}
