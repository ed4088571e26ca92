package io.blixard.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.blixard.proto.transport.v1.GetTransportInfoRequest;
import io.blixard.proto.transport.v1.TransportServiceGrpc;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code blixard strategy get|set|reset}: reads and changes a node's migration strategy through its
 * {@code /actuator/transports} endpoint.
 */
@Command(
    name = "strategy",
    description =
        "Read or change the node's migration strategy (which transport each service uses).",
    subcommands = {
      StrategyCommand.Get.class,
      StrategyCommand.Set.class,
      StrategyCommand.Reset.class
    })
final class StrategyCommand {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The node's Actuator, found from --http or from the node's own transport info. */
  abstract static class EndpointCommand implements Callable<Integer> {

    @Mixin NodeOptions options;

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

    URI endpoint() throws InterruptedException {
      String address = http;
      if (address == null) {
        ManagedChannel channel = options.openChannel();
        try {
          String reported =
              TransportServiceGrpc.newBlockingStub(channel)
                  .withDeadlineAfter(options.timeout.toMillis(), TimeUnit.MILLISECONDS)
                  .getTransportInfo(GetTransportInfoRequest.getDefaultInstance())
                  .getHttpAddress();
          if (reported.isEmpty()) {
            throw new IllegalArgumentException(
                "the node reports no HTTP address (expected: --http host:port)");
          }
          NodeOptions.HostPort node = NodeOptions.HostPort.parse(options.node);
          address = node.host() + ":" + reported.substring(reported.lastIndexOf(':') + 1);
        } finally {
          channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
      }
      NodeOptions.HostPort target = NodeOptions.HostPort.parse(address);
      return URI.create("http://" + target.host() + ":" + target.port() + "/actuator/transports");
    }

    JsonNode send(HttpRequest.Builder request) throws IOException, InterruptedException {
      HttpClient client = HttpClient.newBuilder().connectTimeout(options.timeout).build();
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
      JsonNode body =
          response.body().isBlank() ? JSON.createObjectNode() : JSON.readTree(response.body());
      if (response.statusCode() == 400) {
        throw new RefusedException(
            "the node refused the change: " + body.path("error").asText(response.body()));
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
      return body;
    }

    int print(JsonNode body) throws IOException {
      if (options.json) {
        out().println(JSON.writerWithDefaultPrettyPrinter().writeValueAsString(body));
        return 0;
      }
      JsonNode strategy = body.path("strategy");
      out().println("mode       " + body.path("mode").asText());
      out()
          .println(
              "strategy   v"
                  + body.path("strategyVersion").path("version").asText()
                  + ", fallback-to-grpc "
                  + strategy.path("fallbackToGrpc").asText()
                  + ", raft "
                  + strategy.path("raftTransport").asText()
                  + ", adaptive "
                  + (strategy.path("adaptive").path("enabled").asBoolean()
                      ? "on (" + strategy.path("adaptive").path("latencyThreshold").asText() + ")"
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
      Iterator<Map.Entry<String, JsonNode>> services = body.path("services").fields();
      while (services.hasNext()) {
        Map.Entry<String, JsonNode> entry = services.next();
        JsonNode s = entry.getValue();
        JsonNode grpc = s.path("grpc");
        JsonNode quic = s.path("quic");
        table.row(
            entry.getKey(),
            String.join(",", JSON.convertValue(s.path("servedOn"), String[].class)),
            s.has("quicSharePercent") ? s.path("quicSharePercent").asText() + " %" : "-",
            grpc.path("calls").asText(),
            grpc.path("errors").asText(),
            millis(grpc.path("p50Millis")),
            millis(grpc.path("p99Millis")),
            quic.path("calls").asText(),
            quic.path("errors").asText(),
            millis(quic.path("p50Millis")),
            millis(quic.path("p99Millis")));
      }
      table.print(out());
      return 0;
    }

    private static String millis(JsonNode value) {
      return value.isNull() || value.isMissingNode()
          ? "-"
          : String.format("%.2f", value.asDouble());
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
          "Change the strategy: a service's QUIC share or preference, where it is served,"
              + " or the fallback.")
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

    @Override
    public Integer call() throws Exception {
      ObjectNode change = JSON.createObjectNode();
      if (service != null) {
        change.put("service", service);
      }
      if (quicShare != null) {
        change.put("quicShare", quicShare);
      }
      if (preferQuic != null) {
        change.put("preferQuic", preferQuic);
      }
      if (servedOn != null) {
        change.put("servedOn", servedOn);
      }
      if (fallbackToGrpc != null) {
        change.put("fallbackToGrpc", fallbackToGrpc);
      }
      return print(
          send(
              HttpRequest.newBuilder(endpoint())
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(change.toString()))));
    }
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
