package io.blixard.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blixard.node.NodeEndpoints;
import io.blixard.support.SingleNodeTestSupport;
import io.blixard.support.TestOperator;
import io.blixard.transport.Transport;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code --json} of every command against a running node: one JSON document per command, camelCase
 * names, numbers as numbers, enum values by their short name.
 */
class BlixardCliJsonIntegrationTest extends SingleNodeTestSupport {

  private static final ObjectMapper JSON = new ObjectMapper();

  @Override
  protected Transport transport() {
    return Transport.GRPC;
  }

  private String node() {
    return endpoints.hostAndPort(NodeEndpoints.Kind.GRPC);
  }

  /** Runs the command with --json and reads its whole output as one JSON document. */
  private JsonNode json(String... args) throws Exception {
    List<String> all = new ArrayList<>(List.of(args));
    all.addAll(List.of("--node", node(), "--json"));
    String[] result = BlixardCliAccess.run(all.toArray(String[]::new));
    assertThat(result[0]).as(String.join(" ", args) + ": " + result[2]).isEqualTo("0");
    // readTree would stop after the first document: a parser that sees the end proves one.
    try (var parser = JSON.createParser(result[1])) {
      JsonNode document = JSON.readTree(parser);
      assertThat(parser.nextToken()).as("one JSON document").isNull();
      return document;
    }
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "health",
        "ping",
        "status",
        "raft",
        "metrics",
        "sysinfo",
        "cluster-health",
        "cluster members"
      })
  void everyCommandPrintsOneDocumentWithCamelCaseNamesAndNoPrefixedEnums(String command)
      throws Exception {
    JsonNode document = json(command.split(" "));
    assertThat(document.isObject()).isTrue();
    for (String name : names(document)) {
      assertThat(name).as("field name").matches("[a-z][a-zA-Z0-9]*|[a-z0-9.\\-]+");
    }
    assertThat(document.toString()).doesNotContain("HEALTH_STATUS_").doesNotContain("RAFT_ROLE_");
  }

  @Test
  void healthSaysUpWithoutThePrefix() throws Exception {
    JsonNode health = json("health");
    assertThat(health.path("status").asText()).isEqualTo("up");
    assertThat(health.path("nodeId").asText()).isEqualTo(identity.nodeId().value());
    assertThat(health.path("checks").isArray()).isTrue();
    assertThat(health.path("checks").get(0).path("status").asText()).isIn("up", "degraded");
    assertThat(health.path("checkedAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT.*Z");
  }

  @Test
  void countersAreNumbers() throws Exception {
    JsonNode raft = json("raft");
    assertThat(raft.path("role").asText()).isEqualTo("leader");
    assertThat(raft.path("term").isIntegralNumber()).isTrue();
    assertThat(raft.path("commitIndex").isIntegralNumber()).isTrue();
    JsonNode sysinfo = json("sysinfo");
    assertThat(sysinfo.path("memoryUsedBytes").isIntegralNumber()).isTrue();
    assertThat(sysinfo.path("cpuCount").isIntegralNumber()).isTrue();
    JsonNode status = json("status");
    assertThat(status.path("term").isIntegralNumber()).isTrue();
    assertThat(status.path("nodes").get(0).path("role").asText()).isEqualTo("leader");
  }

  @Test
  void pingsAreOneDocumentWithEveryAnswer() throws Exception {
    JsonNode ping = json("ping", "--count", "3");
    assertThat(ping.path("pings")).hasSize(3);
    for (int i = 0; i < 3; i++) {
      JsonNode pong = ping.path("pings").get(i);
      assertThat(pong.path("sequence").asInt()).isEqualTo(i);
      assertThat(pong.path("nodeId").asText()).isEqualTo(identity.nodeId().value());
      assertThat(pong.path("rttMillis").isNumber()).isTrue();
    }
  }

  @Test
  void theStrategyIsTheEndpointsReportUnderTheSameRules() throws Exception {
    JsonNode strategy = json(TestOperator.cli("strategy", "get"));
    assertThat(strategy.path("mode").asText()).isEqualTo("dual");
    assertThat(strategy.path("strategyVersion").path("version").isIntegralNumber()).isTrue();
    assertThat(strategy.path("services").path("health").path("quicSharePercent").isInt()).isTrue();
    assertThat(strategy.path("services").path("health").path("grpc").path("calls").isNumber())
        .isTrue();
  }

  /**
   * Every field name in the document, nested ones too (map keys such as service labels also), but
   * not the keys of a health check's attributes: those are the check's own readings, passed on as
   * the node wrote them.
   */
  private static List<String> names(JsonNode node) {
    List<String> names = new ArrayList<>();
    if (node.isObject()) {
      Iterator<String> fields = node.fieldNames();
      while (fields.hasNext()) {
        String name = fields.next();
        names.add(name);
        if (!name.equals("attributes")) {
          names.addAll(names(node.get(name)));
        }
      }
    } else if (node.isArray()) {
      node.forEach(element -> names.addAll(names(element)));
    }
    return names;
  }
}
