package io.blixard.deploy;

import static io.blixard.deploy.ApplicationConfig.asList;
import static io.blixard.deploy.ApplicationConfig.asMap;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.blixard.support.MetricsDoc;
import io.blixard.support.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The Grafana dashboard and the Prometheus alert rules: the dashboard is valid JSON whose every
 * query parses as PromQL (promtool reads them as recording rules) and names only metrics that
 * docs/metrics.md lists (which NodeIntegrationTest holds to what the node exports); the alert rules
 * pass {@code promtool check rules} and name only listed metrics too.
 */
class DashboardAndAlertsTest {

  static final Path DASHBOARD =
      ApplicationConfig.ROOT.resolve("deploy/grafana/dashboards/migration.json");
  static final Path ALERTS =
      ApplicationConfig.ROOT.resolve("deploy/prometheus/rules/blixard-alerts.yml");

  @Test
  void dashboardIsJsonWithAStableUidAndTheDataSourceAsAVariable() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    assertThat(dashboard.path("uid").asText()).isEqualTo("blixard-migration");
    assertThat(dashboard.path("title").asText()).isNotBlank();
    List<String> variables = new ArrayList<>();
    dashboard.path("templating").path("list").forEach(v -> variables.add(v.path("name").asText()));
    assertThat(variables).contains("datasource", "service", "caller");
    for (JsonNode panel : panels(dashboard)) {
      assertThat(panel.path("datasource").path("uid").asText())
          .as("data source of panel %s", panel.path("title").asText())
          .isEqualTo("${datasource}");
    }
  }

  @Test
  void dashboardShowsEachFigureOfTheMigration() throws IOException {
    String queries = String.join("\n", dashboardQueries().values());
    assertThat(queries)
        .contains("rate(blixard_rpc_server_seconds_count")
        .contains("status!=\"OK\"")
        .contains("histogram_quantile(0.5, sum by (le, service, transport)")
        .contains("histogram_quantile(0.99, sum by (le, service, transport)")
        .contains("blixard_client_fallbacks_total")
        .contains("blixard_client_circuit_state")
        .contains("blixard_transport_strategy_version")
        .contains("blixard_transport_strategy_quic_share_ratio");
  }

  @Test
  void everyDashboardQueryParsesAsPromQlAndNamesOnlyDocumentedMetrics() throws Exception {
    Map<String, String> queries = dashboardQueries();
    assertThat(queries).isNotEmpty();
    Set<String> documented = MetricsDoc.documented();
    List<Map<String, Object>> rules = new ArrayList<>();
    queries.forEach(
        (where, query) -> {
          String promql = withVariablesFilledIn(query);
          assertThat(MetricsDoc.undocumented(promql, documented))
              .as("metrics of %s", where)
              .isEmpty();
          rules.add(Map.of("record", "dashboard:query_" + rules.size() + ":check", "expr", promql));
        });
    Path file = Files.createTempFile("blixard-dashboard-queries", ".yml");
    Files.writeString(
        file,
        new Yaml().dump(Map.of("groups", List.of(Map.of("name", "dashboard", "rules", rules)))));
    Promtool.assertValidRules(file);
  }

  @Test
  void alertRulesPassPromtoolAndNameOnlyDocumentedMetrics() throws Exception {
    Promtool.assertValidRules(ALERTS);
    Set<String> documented = MetricsDoc.documented();
    Set<String> alerts = new TreeSet<>();
    Map<String, Object> file = asMap(new Yaml().load(Files.readString(ALERTS)), "alerts");
    for (Object group : asList(file.get("groups"), "groups")) {
      for (Object rule : asList(asMap(group, "group").get("rules"), "rules")) {
        Map<String, Object> r = asMap(rule, "rule");
        alerts.add(String.valueOf(r.get("alert")));
        assertThat(MetricsDoc.undocumented(String.valueOf(r.get("expr")), documented))
            .as("metrics of alert %s", r.get("alert"))
            .isEmpty();
        assertThat(asMap(r.get("annotations"), "annotations")).containsKeys("summary");
      }
    }
    assertThat(alerts)
        .containsExactlyInAnyOrder(
            "BlixardQuicErrorRatioHigh",
            "BlixardFallbackRateHigh",
            "BlixardCanaryRolledBack",
            "BlixardNoLeader",
            "BlixardLeaderChangesHigh");
  }

  @Test
  void eachAlertFiresOnTheSeriesItIsForAndNotOnOthers() throws Exception {
    // The unit tests name the rules file beside them, as Prometheus's rule_files do.
    Path dir = Files.createTempDirectory("blixard-alerts");
    Files.copy(ALERTS, dir.resolve("blixard-alerts.yml"));
    try (var tests = getClass().getResourceAsStream("/prometheus/blixard-alerts.test.yml")) {
      Files.copy(tests, dir.resolve("blixard-alerts.test.yml"));
    }
    Promtool.assertRulesTestsPass(dir.resolve("blixard-alerts.test.yml"));
  }

  private static String withVariablesFilledIn(String query) {
    return query
        .replace("$__rate_interval", "5m")
        .replace("$__interval", "1m")
        .replaceAll("\\$\\{?[a-z]+}?", ".*");
  }

  /** Every query of the dashboard (panel targets and query variables), by where it is. */
  static Map<String, String> dashboardQueries() throws IOException {
    JsonNode dashboard = new ObjectMapper().readTree(DASHBOARD.toFile());
    Map<String, String> queries = new LinkedHashMap<>();
    for (JsonNode panel : panels(dashboard)) {
      for (JsonNode target : panel.path("targets")) {
        queries.put(
            panel.path("title").asText() + " " + target.path("refId").asText(),
            target.path("expr").asText());
      }
    }
    for (JsonNode variable : dashboard.path("templating").path("list")) {
      if ("query".equals(variable.path("type").asText())) {
        String query = variable.path("query").path("query").asText();
        Matcher labelValues = Pattern.compile("label_values\\((\\w+),").matcher(query);
        assertThat(labelValues.find()).as("variable %s", variable.path("name")).isTrue();
        queries.put("variable " + variable.path("name").asText(), labelValues.group(1));
      }
    }
    return queries;
  }

  private static List<JsonNode> panels(JsonNode dashboard) {
    List<JsonNode> panels = new ArrayList<>();
    for (JsonNode panel : dashboard.path("panels")) {
      if ("row".equals(panel.path("type").asText())) {
        panel.path("panels").forEach(panels::add);
      } else {
        panels.add(panel);
      }
    }
    return panels;
  }
}
