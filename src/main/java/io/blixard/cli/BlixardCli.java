package io.blixard.cli;

import com.google.protobuf.ByteString;
import com.google.protobuf.MessageOrBuilder;
import com.google.protobuf.Timestamp;
import io.blixard.client.BlixardClient;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.health.v1.CheckRequest;
import io.blixard.proto.health.v1.HealthCheck;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.proto.health.v1.HealthStatus;
import io.blixard.proto.health.v1.PingRequest;
import io.blixard.proto.monitoring.v1.GetClusterHealthRequest;
import io.blixard.proto.monitoring.v1.GetMetricsRequest;
import io.blixard.proto.monitoring.v1.GetSystemInfoRequest;
import io.blixard.proto.monitoring.v1.MonitoringServiceGrpc;
import io.blixard.proto.security.v1.SignedChange;
import io.blixard.proto.status.v1.ClusterNode;
import io.blixard.proto.status.v1.GetClusterStatusRequest;
import io.blixard.proto.status.v1.GetRaftStatusRequest;
import io.blixard.proto.status.v1.StatusServiceGrpc;
import io.grpc.Channel;
import io.grpc.stub.AbstractBlockingStub;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.DoubleSummaryStatistics;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * The {@code blixard} command line: starts a node ({@code blixard node}, or no arguments at all) or
 * asks a running one about its health, cluster and metrics. Every command has {@code --help}, and
 * ends with an exit code of its own kind ({@link #OK}, {@link #CALL_FAILED}, {@link #USAGE}, {@link
 * #UNREACHABLE}).
 */
@Command(
    name = "blixard",
    scope = ScopeType.INHERIT,
    mixinStandardHelpOptions = true,
    versionProvider = Version.class,
    description = "Start a Blixard node, or ask one about its health, cluster and metrics.",
    subcommands = {
      StartNodeCommand.class,
      BlixardCli.HealthCommand.class,
      BlixardCli.PingCommand.class,
      BlixardCli.StatusCommand.class,
      BlixardCli.RaftCommand.class,
      BlixardCli.MetricsCommand.class,
      BlixardCli.SysInfoCommand.class,
      BlixardCli.ClusterHealthCommand.class,
      StrategyCommand.class,
      ClusterCommand.class,
      SnapshotCommand.class,
      WhoamiCommand.class,
      OperatorCommand.class,
      CompletionCommand.class
    })
public final class BlixardCli {

  /** Exit code of a command that did what it was asked. */
  public static final int OK = CommandLine.ExitCode.OK;

  /** Exit code when the node answered with a failure or a refusal, or reports itself DOWN. */
  public static final int CALL_FAILED = 1;

  /** Exit code of a command line that does not parse: an unknown command, option or value. */
  public static final int USAGE = CommandLine.ExitCode.USAGE;

  /** Exit code when no answer came: unknown host, connection refused, timeout. */
  public static final int UNREACHABLE = 3;

  /**
   * Spring Boot's way of passing settings, {@code --server.port=8081}: arguments made only of these
   * start a node, as {@code java -jar} always did. No command option has a dot in its name.
   */
  private static final Pattern SETTING = Pattern.compile("--[A-Za-z][\\w-]*(\\.[\\w\\[\\]-]+)+=.*");

  @Option(
      names = "--verbose",
      scope = ScopeType.INHERIT,
      description = "Print the stack trace of a failure as well.")
  boolean verbose;

  /**
   * Runs the command line and exits with its code, unless it started a node: that one runs on. With
   * no arguments, or only {@code --key=value} settings, it starts a node.
   *
   * @param startNode starts a node with Spring Boot's arguments, throwing when it fails to start
   */
  public static void main(String[] args, Consumer<String[]> startNode) {
    StartNodeCommand node = new StartNodeCommand(startNode);
    int exitCode = commandLine(node).execute(startsNode(args) ? withNode(args) : args);
    if (!node.started()) {
      System.exit(exitCode);
    }
  }

  /** Runs the command line and returns its exit code; {@code node} cannot start a node here. */
  public static int execute(String... args) {
    return commandLine().execute(args);
  }

  static CommandLine commandLine() {
    return commandLine(
        new StartNodeCommand(
            args -> {
              throw new IllegalStateException("this command line cannot start a node");
            }));
  }

  static CommandLine commandLine(StartNodeCommand node) {
    CommandLine.IFactory factory =
        new CommandLine.IFactory() {
          @Override
          public <K> K create(Class<K> type) throws Exception {
            return type == StartNodeCommand.class
                ? type.cast(node)
                : CommandLine.defaultFactory().create(type);
          }
        };
    CommandLine commandLine =
        new CommandLine(new BlixardCli(), factory)
            .setExecutionExceptionHandler(Failures::report)
            .setParameterExceptionHandler(Failures::usage)
            .setCaseInsensitiveEnumValuesAllowed(true);
    // Spring Boot's settings pass through as they are.
    commandLine.getSubcommands().get("node").setUnmatchedOptionsArePositionalParams(true);
    return commandLine;
  }

  static boolean startsNode(String[] args) {
    return Arrays.stream(args).allMatch(arg -> SETTING.matcher(arg).matches());
  }

  private static String[] withNode(String[] args) {
    String[] all = new String[args.length + 1];
    all[0] = "node";
    System.arraycopy(args, 0, all, 1, args.length);
    return all;
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

    /** Why the node's answer is a failure (it reports itself DOWN), or null. */
    private String failure;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    PrintWriter err() {
      return spec.commandLine().getErr();
    }

    /** {@code command} signed with the operator identity this command presents, serialized. */
    ByteString signed(RegistryCommand.Builder command) {
      return SignedCommands.sign(options.operatorIdentity(), command);
    }

    /** {@code command} signed as above, as a SecurityService change. */
    SignedChange signedChange(RegistryCommand.Builder command) {
      return SignedChange.newBuilder().setSignedCommand(signed(command)).build();
    }

    <S extends AbstractBlockingStub<S>> S stub(Channel channel, Function<Channel, S> factory) {
      return factory
          .apply(channel)
          .withDeadlineAfter(options.timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public Integer call() throws Exception {
      SimpleMeterRegistry meters = new SimpleMeterRegistry();
      options.traced(
          spec.qualifiedName(),
          err(),
          () -> {
            try (BlixardClient client = options.connect(meters)) {
              run(client.channel());
              out().flush();
              reportFallbacks(meters);
            }
            return null;
          });
      if (failure != null) {
        spec.commandLine().getErr().println("blixard: " + failure);
        spec.commandLine().getErr().flush();
        return CALL_FAILED;
      }
      return OK;
    }

    /** Makes the command exit with {@link #CALL_FAILED} after printing the answer, saying why. */
    void failed(String why) {
      failure = why;
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
      if (response.getStatus() == HealthStatus.HEALTH_STATUS_DOWN) {
        failed("node " + shortId(response.getNodeId()) + " is DOWN");
      }
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
        Pong pong = new Pong(i, reply.getNodeId(), round((System.nanoTime() - start) / 1e6));
        pongs.add(pong);
        if (!options.json) {
          out()
              .printf(
                  Locale.ROOT,
                  "pong from %s seq=%d time=%.2f ms%n",
                  shortId(pong.nodeId()),
                  pong.sequence(),
                  pong.rttMillis());
        }
      }
      PingReport report = PingReport.of(pongs);
      if (options.json) {
        out().println(Json.write(report));
      } else if (count > 1) {
        PingReport.Summary summary = report.summary();
        out()
            .printf(
                Locale.ROOT,
                "%d pings, time min/avg/max %.2f/%.2f/%.2f ms%n",
                summary.count(),
                summary.minMillis(),
                summary.averageMillis(),
                summary.maxMillis());
      }
    }

    private static double round(double millis) {
      return Math.round(millis * 1000) / 1000.0;
    }

    /**
     * The pings of one command, as one JSON document.
     *
     * @param pings every answer, in order
     * @param summary their round-trip times
     */
    record PingReport(List<Pong> pings, Summary summary) {

      static PingReport of(List<Pong> pings) {
        DoubleSummaryStatistics rtt =
            pings.stream().mapToDouble(Pong::rttMillis).summaryStatistics();
        return new PingReport(
            List.copyOf(pings),
            new Summary(pings.size(), rtt.getMin(), round(rtt.getAverage()), rtt.getMax()));
      }

      /**
       * Round-trip times in milliseconds.
       *
       * @param count how many pings were answered
       */
      record Summary(int count, double minMillis, double averageMillis, double maxMillis) {}
    }

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
        Table followers =
            new Table("FOLLOWER", "MATCH", "NEXT", "LAG", "LAST CONTACT", "TRANSPORT");
        r.getFollowersList()
            .forEach(
                f ->
                    followers.row(
                        shortId(f.getNodeId()),
                        f.getMatchIndex(),
                        f.getNextIndex(),
                        f.getLag(),
                        f.getLastContactMillis() + " ms ago",
                        orNone(f.getTransport())));
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
      if (!h.getQuorumProblem().isEmpty()) {
        failed("no quorum: " + h.getQuorumProblem());
      } else if (!h.getLeaderPresent()) {
        failed("no leader");
      }
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
