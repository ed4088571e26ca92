package io.blixard.deploy;

import static io.blixard.deploy.ApplicationConfig.asList;
import static io.blixard.deploy.ApplicationConfig.asMap;
import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.support.Promtool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * docker-compose.yml, its Prometheus configuration and rules and its Grafana provisioning agree
 * with the application and with each other: no Docker engine runs here, so the files are read and
 * compared with application.yml.
 */
class DockerComposeTest {

  private static final List<String> NODES = List.of("node1", "node2", "node3");
  private static final Pattern PORT = Pattern.compile("(\\d+):(\\d+)(?:/(tcp|udp))?");

  private static ApplicationConfig config;
  private static Map<String, Object> services;
  private static Map<String, Object> volumes;

  @BeforeAll
  static void read() throws IOException {
    config = ApplicationConfig.load();
    Map<String, Object> compose =
        asMap(
            new Yaml().load(Files.readString(ApplicationConfig.ROOT.resolve("docker-compose.yml"))),
            "docker-compose.yml");
    services = asMap(compose.get("services"), "services");
    volumes = asMap(compose.get("volumes"), "volumes");
  }

  @Test
  void buildsTheImageOnceFromTheDockerfileAndRunsItOnEveryNode() throws IOException {
    assertThat(services).containsKeys("node1", "node2", "node3", "prometheus", "grafana");
    String image = String.valueOf(service("node1").get("image"));
    for (String node : NODES) {
      Map<String, Object> service = service(node);
      assertThat(service.get("image")).as("%s image", node).isEqualTo(image);
      assertThat(service.get("hostname")).as("%s hostname", node).isEqualTo(node);
    }
    List<String> building =
        services.keySet().stream().filter(name -> service(name).containsKey("build")).toList();
    assertThat(building).as("services that build an image").containsExactly("node1");

    Map<String, Object> build = asMap(service("node1").get("build"), "node1 build");
    assertThat(build.get("context")).isEqualTo(".");
    Set<String> dockerfileArgs = new HashSet<>();
    for (String line : Files.readAllLines(ApplicationConfig.ROOT.resolve("Dockerfile"))) {
      if (line.startsWith("ARG ")) {
        dockerfileArgs.add(line.substring(4).split("=")[0].strip());
      }
    }
    assertThat(dockerfileArgs)
        .as("the Dockerfile's ARGs")
        .containsAll(asMap(build.get("args"), "node1 build args").keySet());
  }

  @Test
  void publishesEachNodesGrpcQuicAndHttpPortsOnDistinctHostPorts() {
    Set<String> hostPorts = new HashSet<>();
    Set<String> expectedContainerPorts =
        Set.of(config.grpcPort() + "/tcp", config.quicPort() + "/udp", config.httpPort() + "/tcp");
    for (String node : NODES) {
      Set<String> containerPorts = new HashSet<>();
      for (Object published : asList(service(node).get("ports"), node + " ports")) {
        Matcher port = PORT.matcher(String.valueOf(published));
        assertThat(port.matches())
            .as("%s port %s (expected host:container/proto)", node, published);
        String protocol = port.group(3) == null ? "tcp" : port.group(3);
        containerPorts.add(port.group(2) + "/" + protocol);
        assertThat(hostPorts.add(port.group(1) + "/" + protocol))
            .as("host port %s/%s published once", port.group(1), protocol)
            .isTrue();
      }
      assertThat(containerPorts).as("%s container ports", node).isEqualTo(expectedContainerPorts);
    }
  }

  @Test
  void keepsEachNodesDataInItsOwnNamedVolumeAtTheClusterProfilesDataDirectory() {
    var dataDir = config.environmentPlaceholder("cluster", "blixard.node.data-dir");
    Set<String> used = new HashSet<>();
    for (String node : NODES) {
      Map<String, String> environment = environment(node);
      String mountPath = environment.getOrDefault(dataDir.getKey(), dataDir.getValue());
      List<Object> mounts = asList(service(node).get("volumes"), node + " volumes");
      assertThat(mounts).hasSize(1);
      String[] mount = String.valueOf(mounts.get(0)).split(":");
      assertThat(mount[1]).as("%s data mount", node).isEqualTo(mountPath);
      assertThat(volumes).as("top-level volumes").containsKey(mount[0]);
      assertThat(used.add(mount[0])).as("volume %s used by one node", mount[0]).isTrue();
    }
  }

  @Test
  void node1BootstrapsAndTheOthersJoinItOnItsGrpcPortAndAdvertiseTheirServiceName() {
    var advertise = config.environmentPlaceholder("cluster", "blixard.node.advertise-host");
    assertThat(environment("node1")).doesNotContainKey("BLIXARD_CLUSTER_JOIN");
    for (String node : NODES) {
      assertThat(environment(node)).containsEntry(advertise.getKey(), node);
    }
    for (String node : List.of("node2", "node3")) {
      assertThat(environment(node))
          .containsEntry("BLIXARD_CLUSTER_JOIN", "node1:" + config.grpcPort());
      assertThat(asList(service(node).get("depends_on"), node + " depends_on"))
          .containsExactly("node1");
    }
  }

  @Test
  void prometheusScrapesEveryNodesMetricsOnItsHttpPort() throws Exception {
    String prometheusPath = config.actuatorPath("prometheus");
    assertThat(config.exposedEndpoints()).contains("prometheus");
    List<Object> mounts = asList(service("prometheus").get("volumes"), "prometheus volumes");
    String configMount =
        mounts.stream()
            .map(String::valueOf)
            .filter(m -> m.endsWith(":/etc/prometheus/prometheus.yml:ro"))
            .findFirst()
            .orElseThrow();
    Path file = ApplicationConfig.ROOT.resolve(configMount.substring(0, configMount.indexOf(':')));
    String text = Files.readString(file);
    Map<String, Object> prometheus = asMap(new Yaml().load(text), file.toString());

    List<String> targets = new ArrayList<>();
    for (Object job : asList(prometheus.get("scrape_configs"), "scrape_configs")) {
      Map<String, Object> scrape = asMap(job, "scrape config");
      assertThat(scrape.get("metrics_path")).isEqualTo(prometheusPath);
      for (Object staticConfig : asList(scrape.get("static_configs"), "static_configs")) {
        for (Object target : asList(asMap(staticConfig, "static config").get("targets"), "t")) {
          targets.add(String.valueOf(target));
        }
      }
    }
    assertThat(targets)
        .containsExactlyInAnyOrderElementsOf(
            NODES.stream().map(node -> node + ":" + config.httpPort()).toList());
    Promtool.assertValidConfig(file);
  }

  @Test
  void prometheusLoadsTheAlertRulesFromTheMountedRulesDirectory() throws Exception {
    Path config = mountedSource("prometheus", "/etc/prometheus/prometheus.yml");
    Map<String, Object> prometheus = asMap(new Yaml().load(Files.readString(config)), "config");
    List<Object> ruleFiles = asList(prometheus.get("rule_files"), "rule_files");
    assertThat(ruleFiles).containsExactly("/etc/prometheus/rules/*.yml");
    Path rules = mountedSource("prometheus", "/etc/prometheus/rules");
    assertThat(rules.resolve("blixard-alerts.yml")).isEqualTo(DashboardAndAlertsTest.ALERTS);
    try (var files = Files.list(rules)) {
      List<Path> loaded = files.filter(f -> f.toString().endsWith(".yml")).toList();
      assertThat(loaded).isNotEmpty();
      for (Path file : loaded) {
        Promtool.assertValidRules(file);
      }
    }
  }

  @Test
  void grafanaProvisionsThePrometheusDataSourceAndTheMigrationDashboard() throws Exception {
    Map<String, Object> grafana = service("grafana");
    assertThat(String.valueOf(grafana.get("image")))
        .as("a pinned Grafana image")
        .matches("grafana/grafana:\\d+\\.\\d+\\.\\d+");
    assertThat(asList(grafana.get("depends_on"), "grafana depends_on")).contains("prometheus");
    assertThat(asList(grafana.get("ports"), "grafana ports")).contains("3000:3000/tcp");

    Path provisioning = mountedSource("grafana", "/etc/grafana/provisioning");
    Map<String, Object> datasources =
        asMap(
            new Yaml().load(Files.readString(provisioning.resolve("datasources/prometheus.yml"))),
            "datasources");
    Map<String, Object> datasource =
        asMap(asList(datasources.get("datasources"), "datasources").get(0), "datasource");
    String prometheusPort =
        String.valueOf(asList(service("prometheus").get("ports"), "prometheus ports").get(0))
            .split(":")[1]
            .split("/")[0];
    assertThat(datasource)
        .containsEntry("type", "prometheus")
        .containsEntry("url", "http://prometheus:" + prometheusPort)
        .containsEntry("isDefault", true);

    Map<String, Object> dashboards =
        asMap(
            new Yaml().load(Files.readString(provisioning.resolve("dashboards/blixard.yml"))),
            "dashboard providers");
    Map<String, Object> provider =
        asMap(asList(dashboards.get("providers"), "providers").get(0), "provider");
    String dashboardPath = String.valueOf(asMap(provider.get("options"), "options").get("path"));
    Path dashboardDir = mountedSource("grafana", dashboardPath);
    assertThat(dashboardDir.resolve("migration.json")).isEqualTo(DashboardAndAlertsTest.DASHBOARD);
    assertThat(environment("grafana").get("GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH"))
        .isEqualTo(dashboardPath + "/migration.json");
    assertThat(volumes).containsKey("grafana-data");
  }

  /** The host path of a service's read-only bind mount at {@code target} in the container. */
  private static Path mountedSource(String service, String target) {
    String mount =
        asList(service(service).get("volumes"), service + " volumes").stream()
            .map(String::valueOf)
            .filter(m -> m.endsWith(":" + target + ":ro"))
            .findFirst()
            .orElseThrow(() -> new AssertionError(service + " mounts nothing at " + target));
    Path source =
        ApplicationConfig.ROOT.resolve(mount.substring(0, mount.indexOf(':'))).normalize();
    assertThat(source).as("%s's mount of %s", service, target).exists();
    return source;
  }

  @Test
  void theQuicOverridePublishesOnlyQuicAndHttpAndJoinsNode1ByItsNodeId() throws IOException {
    String text = Files.readString(ApplicationConfig.ROOT.resolve("docker-compose.quic.yml"));
    // Compose's !override replaces the base file's list instead of appending to it.
    assertThat(text).contains("ports: !override");
    Map<String, Object> quic =
        asMap(
            asMap(new Yaml().load(text.replace("!override", "")), "docker-compose.quic.yml")
                .get("services"),
            "services");
    assertThat(quic).containsOnlyKeys(NODES);
    for (String node : NODES) {
      Map<String, Object> service = asMap(quic.get(node), node);
      Set<String> containerPorts = new HashSet<>();
      for (Object published : asList(service.get("ports"), node + " ports")) {
        Matcher port = PORT.matcher(String.valueOf(published));
        assertThat(port.matches()).as("%s port %s", node, published).isTrue();
        containerPorts.add(port.group(2) + "/" + port.group(3));
      }
      assertThat(containerPorts)
          .as("%s container ports", node)
          .containsExactlyInAnyOrder(config.quicPort() + "/udp", config.httpPort() + "/tcp");
      Map<String, Object> environment = asMap(service.get("environment"), node + " environment");
      assertThat(environment)
          .containsEntry("BLIXARD_TRANSPORT_MODE", "quic")
          .containsEntry("BLIXARD_TRANSPORT_STRATEGY_RAFT_TRANSPORT", "always-quic");
      if (!node.equals("node1")) {
        assertThat(String.valueOf(environment.get("BLIXARD_CLUSTER_JOIN")))
            .startsWith("${BLIXARD_SEED_ID:-")
            .endsWith("}@node1:" + config.quicPort());
      }
    }
    assertThat(config.isKnownKey("blixard.transport.strategy.raft-transport")).isTrue();
  }

  private static Map<String, Object> service(String name) {
    return asMap(services.get(name), "service " + name);
  }

  private static Map<String, String> environment(String node) {
    Map<String, String> environment = new LinkedHashMap<>();
    asMap(service(node).get("environment"), node + " environment")
        .forEach((key, value) -> environment.put(key, String.valueOf(value)));
    return environment;
  }
}
