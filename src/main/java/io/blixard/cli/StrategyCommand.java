package io.blixard.cli;

import com.google.protobuf.ByteString;
import io.blixard.client.BlixardClient;
import io.blixard.migration.MigrationStrategy;
import io.blixard.migration.StrategyEdit;
import io.blixard.migration.StrategyProtos;
import io.blixard.migration.TransportsReport;
import io.blixard.node.NodeAddress;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.cluster.v1.SetStrategy;
import io.blixard.proto.transport.v1.GetStrategyHistoryRequest;
import io.blixard.proto.transport.v1.GetTransportInfoRequest;
import io.blixard.proto.transport.v1.SetStrategyRequest;
import io.blixard.proto.transport.v1.StrategyChange;
import io.blixard.proto.transport.v1.TransportServiceGrpc;
import io.blixard.transport.grpc.GrpcChannelFactory;
import io.grpc.Channel;
import io.grpc.stub.AbstractStub;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code blixard strategy get|set|history|rollback|reset}: the cluster's migration strategy,
 * changed by an operator's signed command through Raft ({@code TransportService/SetStrategy}), and
 * one node's override of it through its {@code /actuator/transports} endpoint.
 */
@Command(
    name = "strategy",
    description =
        "Read or change the migration strategy (which transport each service uses): the"
            + " cluster's, or one node's override of it.",
    subcommands = {
      StrategyCommand.Get.class,
      StrategyCommand.Set.class,
      StrategyCommand.History.class,
      StrategyCommand.Rollback.class,
      StrategyCommand.Reset.class
    })
final class StrategyCommand {

  /** The node's Actuator, found from --http or from the node's own transport info. */
  abstract static class EndpointCommand implements Callable<Integer> {

    private static final Duration TOKEN_LIFETIME = Duration.ofMinutes(1);

    @Mixin NodeOptions options;

    @Mixin OperatorOptions operator;

    @Option(
        names = "--http",
        description =
            "The node's HTTP (Actuator) address, host:port. Default: the node's gRPC host with the"
                + " HTTP port it reports.")
    String http;

    @Spec CommandSpec spec;

    PrintWriter out() {
      return spec.commandLine().getOut();
    }

    <S extends AbstractStub<S>> S deadline(S stub) {
      return stub.withDeadlineAfter(options.timeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    URI endpoint() {
      NodeAddress target;
      if (http != null) {
        target = NodeAddress.parseHostAndPort("--http", http);
      } else {
        NodeAddress node = options.address();
        if (node.pinned()) {
          throw new IllegalArgumentException(
              "--node: \""
                  + options.node
                  + "\" names a QUIC address; the strategy is read over HTTP (expected: --node"
                  + " host:grpcPort, or --http host:port)");
        }
        String reported;
        try (GrpcChannelFactory channels = options.grpcChannels()) {
          reported =
              TransportServiceGrpc.newBlockingStub(channels.channel(node))
                  .withDeadlineAfter(options.timeout.toMillis(), TimeUnit.MILLISECONDS)
                  .getTransportInfo(GetTransportInfoRequest.getDefaultInstance())
                  .getHttpAddress();
        }
        if (reported.isEmpty()) {
          throw new IllegalArgumentException(
              "the node reports no HTTP address (expected: --http host:port)");
        }
        target =
            NodeAddress.of(
                node.host(), NodeAddress.parseHostAndPort("http_address", reported).port());
      }
      return URI.create("http://" + target.hostAndPort() + "/actuator/transports");
    }

    TransportsReport send(HttpRequest.Builder request) throws IOException, InterruptedException {
      HttpClient client = HttpClient.newBuilder().connectTimeout(options.timeout).build();
      // Signed here for this one call: a short life is enough, and nothing is kept.
      request.header("Authorization", "Bearer " + operator.token(TOKEN_LIFETIME));
      HttpResponse<String> response;
      try {
        response =
            client.send(
                request.timeout(options.timeout).header("Accept", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        throw new UnreachableException(
            "cannot reach the node's Actuator at " + request.build().uri() + ": " + e);
      }
      if (response.statusCode() == 400) {
        String error = response.body();
        try {
          error = Json.read(response.body(), TransportsReport.Refusal.class).error();
        } catch (IOException notJson) {
          // The body as it came, then.
        }
        throw new RefusedException("the node refused the change: " + error);
      }
      if (response.statusCode() == 401 || response.statusCode() == 403) {
        throw new RefusedException("the node refused the call: " + error(response));
      }
      if (response.statusCode() == 404) {
        throw new RefusedException(
            "the node does not expose /actuator/transports (expected:"
                + " management.endpoints.web.exposure.include to list transports)");
      }
      if (response.statusCode() / 100 != 2) {
        throw new RefusedException(
            "the node answered HTTP " + response.statusCode() + " for " + request.build().uri());
      }
      return Json.read(response.body(), TransportsReport.class);
    }

    /** The one-line reason of a refusal, or the status when the body is not the node's JSON. */
    private static String error(HttpResponse<String> response) {
      try {
        String error = Json.read(response.body(), TransportsReport.Refusal.class).error();
        if (error != null) {
          return error;
        }
      } catch (IOException notJson) {
        // The status, then.
      }
      return "HTTP " + response.statusCode() + " for " + response.uri();
    }

    int print(TransportsReport report) {
      if (options.json) {
        out().println(Json.write(report));
        return 0;
      }
      TransportsReport.Strategy strategy = report.strategy();
      out().println("mode       " + report.mode());
      out()
          .println(
              "strategy   v"
                  + report.strategyVersion().version()
                  + " ("
                  + report.strategyVersion().source()
                  + ")"
                  + ", fallback-to-grpc "
                  + strategy.fallbackToGrpc()
                  + ", raft "
                  + strategy.raftTransport()
                  + ", adaptive "
                  + (strategy.adaptive().enabled()
                      ? "on (" + strategy.adaptive().latencyThreshold() + ")"
                      : "off"));
      out().println();
      Table table =
          new Table(
              "SERVICE",
              "SERVED ON",
              "QUIC SHARE",
              "GRPC CALLS",
              "ERR",
              "P50 MS",
              "P99 MS",
              "QUIC CALLS",
              "ERR",
              "P50 MS",
              "P99 MS");
      report
          .services()
          .forEach(
              (label, s) ->
                  table.row(
                      label,
                      String.join(",", s.servedOn()),
                      s.quicSharePercent() == null ? "-" : s.quicSharePercent() + " %",
                      s.grpc().calls(),
                      s.grpc().errors(),
                      millis(s.grpc().p50Millis()),
                      millis(s.grpc().p99Millis()),
                      s.quic().calls(),
                      s.quic().errors(),
                      millis(s.quic().p50Millis()),
                      millis(s.quic().p99Millis())));
      table.print(out());
      return 0;
    }

    private static String millis(Double value) {
      return value == null ? "-" : String.format(Locale.ROOT, "%.2f", value);
    }
  }

  @Command(name = "get", description = "Show the strategy and the calls per service and transport.")
  static final class Get extends EndpointCommand {
    @Override
    public Integer call() throws Exception {
      return print(send(HttpRequest.newBuilder(endpoint()).GET()));
    }
  }

  @Command(
      name = "set",
      description =
          "Change the cluster's strategy (operators only; every node follows it): a service's QUIC"
              + " share or preference, where it is served, the fallback, the canary guard, or where"
              + " Raft traffic goes. With --this-node, change"
              + " only the node's own (an override, until strategy reset).")
  static final class Set extends EndpointCommand {
    @Option(names = "--service", description = "health, status, monitoring, vm or raft.")
    String service;

    @Option(names = "--quic-share", description = "Percentage of the service's calls over QUIC.")
    Integer quicShare;

    @Option(names = "--prefer-quic", arity = "1", description = "true: all calls over QUIC.")
    Boolean preferQuic;

    @Option(names = "--served-on", description = "grpc, quic or grpc,quic.")
    String servedOn;

    @Option(names = "--fallback-to-grpc", arity = "1", description = "true or false.")
    Boolean fallbackToGrpc;

    @Option(
        names = "--guard",
        arity = "1",
        description = "true or false: the canary guard (cluster strategy only).")
    Boolean guard;

    @Option(
        names = "--guard-promote",
        arity = "1",
        description = "true or false: the guard's promotion in steps (cluster strategy only).")
    Boolean guardPromote;

    @Option(
        names = "--raft-transport",
        description =
            "always-grpc, always-quic or adaptive: where Raft traffic goes (cluster strategy only;"
                + " at once on nodes with the Raft router, else at their next start).")
    String raftTransport;

    @Option(names = "--reason", description = "Why, kept in the strategy's history.")
    String reason;

    @Option(
        names = "--this-node",
        description = "Override the strategy on the node named by --node only, over the cluster's.")
    boolean thisNode;

    @Override
    public Integer call() throws Exception {
      if (thisNode && (guard != null || guardPromote != null)) {
        throw new IllegalArgumentException(
            "--guard and --guard-promote change the cluster's strategy, which the leader's guard"
                + " reads (expected: without --this-node)");
      }
      if (thisNode && raftTransport != null) {
        throw new IllegalArgumentException(
            "--raft-transport changes the cluster's strategy, which every member's Raft follows"
                + " (expected: without --this-node)");
      }
      if (thisNode) {
        var change =
            new TransportsReport.Change(service, quicShare, preferQuic, servedOn, fallbackToGrpc);
        return print(
            send(
                HttpRequest.newBuilder(endpoint())
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofString(Json.write(change)))));
      }
      boolean noServiceChange =
          service == null
              && quicShare == null
              && preferQuic == null
              && servedOn == null
              && fallbackToGrpc == null;
      StrategyEdit edit;
      if (noServiceChange && raftTransport != null) {
        edit = StrategyEdit.raftTransport(raftTransport).andGuard(guard, guardPromote);
      } else if (noServiceChange && (guard != null || guardPromote != null)) {
        edit = StrategyEdit.guard(guard, guardPromote);
      } else {
        edit =
            StrategyEdit.of(service, quicShare, preferQuic, servedOn, fallbackToGrpc)
                .andGuard(guard, guardPromote)
                .andRaftTransport(raftTransport);
      }
      return options.traced(
          spec.qualifiedName(),
          spec.commandLine().getErr(),
          () -> {
            try (BlixardClient client = options.connect(new SimpleMeterRegistry())) {
              var stub = TransportServiceGrpc.newBlockingStub(client.channel());
              var history =
                  deadline(stub)
                      .getStrategyHistory(
                          GetStrategyHistoryRequest.newBuilder().setLimit(1).build());
              MigrationStrategy base;
              long baseVersion;
              if (history.getChangesCount() == 0) {
                base =
                    StrategyProtos.fromProto(
                        deadline(stub)
                            .getTransportInfo(GetTransportInfoRequest.getDefaultInstance())
                            .getStrategy());
                baseVersion = 0;
              } else {
                StrategyChange last = history.getChanges(0);
                base = StrategyProtos.fromProto(last.getStrategy());
                baseVersion = last.getVersion();
              }
              long version =
                  propose(
                      deadline(stub),
                      options.operatorIdentity(),
                      edit.applyTo(base),
                      edit.description(),
                      reason,
                      baseVersion);
              if (options.json) {
                out().println(Json.write(new SetResult(version, edit.description())));
              } else {
                out().println("cluster strategy v" + version + ": " + edit.description());
              }
              return 0;
            }
          });
    }
  }

  @Command(
      name = "history",
      mixinStandardHelpOptions = true,
      description = "The versions of the cluster's strategy: when, by whom, what and why.")
  static final class History extends BlixardCli.NodeCommand {
    @Option(
        names = "--limit",
        defaultValue = "20",
        description =
            "The newest this many versions; 0 for all the node keeps (default: ${DEFAULT-VALUE}).")
    int limit;

    @Override
    void run(Channel channel) {
      var answer =
          stub(channel, TransportServiceGrpc::newBlockingStub)
              .getStrategyHistory(GetStrategyHistoryRequest.newBuilder().setLimit(limit).build());
      if (printedJson(answer)) {
        return;
      }
      if (answer.getChangesCount() == 0) {
        out().println("the cluster has no strategy yet: every node follows its configuration");
        return;
      }
      Table table = new Table("VERSION", "AT", "BY", "CHANGE", "REASON");
      for (StrategyChange c : answer.getChangesList()) {
        table.row(
            "v" + c.getVersion(),
            Instant.ofEpochMilli(c.getAtMillis()).truncatedTo(ChronoUnit.SECONDS).toString(),
            Table.shortId(c.getBy()),
            c.getChange(),
            c.getReason());
      }
      table.print(out());
    }
  }

  @Command(
      name = "rollback",
      mixinStandardHelpOptions = true,
      description =
          "Make an earlier version's strategy the cluster's again, as a new version (operators"
              + " only).")
  static final class Rollback extends BlixardCli.NodeCommand {
    @Option(names = "--to", required = true, description = "The version to go back to.")
    long to;

    @Option(names = "--reason", description = "Why, kept in the strategy's history.")
    String reason;

    @Override
    void run(Channel channel) {
      var stub = stub(channel, TransportServiceGrpc::newBlockingStub);
      List<StrategyChange> history =
          stub.getStrategyHistory(GetStrategyHistoryRequest.getDefaultInstance()).getChangesList();
      if (history.isEmpty()) {
        throw new IllegalArgumentException(
            "--to "
                + to
                + ": the cluster has no strategy yet (expected: a version from blixard strategy history)");
      }
      StrategyChange current = history.get(history.size() - 1);
      StrategyChange target =
          history.stream()
              .filter(c -> c.getVersion() == to)
              .findFirst()
              .orElseThrow(
                  () ->
                      new IllegalArgumentException(
                          "--to "
                              + to
                              + ": no such version kept (expected: one of v"
                              + history.get(0).getVersion()
                              + " to v"
                              + current.getVersion()
                              + ")"));
      if (target.getVersion() == current.getVersion()) {
        throw new IllegalArgumentException(
            "--to " + to + ": that is the current version (expected: an earlier one)");
      }
      long version =
          propose(
              stub,
              options.operatorIdentity(),
              StrategyProtos.fromProto(target.getStrategy()),
              "rollback to v" + to,
              reason,
              current.getVersion());
      if (options.json) {
        out().println(Json.write(new SetResult(version, "rollback to v" + to)));
      } else {
        out().println("cluster strategy v" + version + ": rollback to v" + to);
      }
    }
  }

  /** What strategy set and rollback print with --json. */
  record SetResult(long version, String change) {}

  /** Proposes {@code strategy} as the cluster's, signed by {@code operator}; its new version. */
  static long propose(
      TransportServiceGrpc.TransportServiceBlockingStub stub,
      NodeIdentity operator,
      MigrationStrategy strategy,
      String change,
      String reason,
      long baseVersion) {
    SetStrategy.Builder set =
        SetStrategy.newBuilder()
            .setStrategy(StrategyProtos.toProto(strategy).toByteString())
            .setChange(change)
            .setReason(reason == null ? "" : reason)
            .setBaseVersion(baseVersion);
    ByteString signed =
        SignedCommands.sign(operator, RegistryCommand.newBuilder().setSetStrategy(set));
    return stub.setStrategy(SetStrategyRequest.newBuilder().setSignedCommand(signed).build())
        .getVersion();
  }

  @Command(name = "reset", description = "Go back to the strategy of the node's configuration.")
  static final class Reset extends EndpointCommand {
    @Override
    public Integer call() throws Exception {
      return print(send(HttpRequest.newBuilder(endpoint()).DELETE()));
    }
  }

  /** The node answered and refused: exit code 1. */
  static final class RefusedException extends RuntimeException {
    RefusedException(String message) {
      super(message);
    }
  }

  /** The node could not be reached: exit code 3. */
  static final class UnreachableException extends RuntimeException {
    UnreachableException(String message) {
      super(message);
    }
  }
}
