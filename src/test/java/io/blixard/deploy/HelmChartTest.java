package io.blixard.deploy;

import static io.blixard.deploy.ApplicationConfig.asList;
import static io.blixard.deploy.ApplicationConfig.asMap;
import static io.blixard.deploy.ApplicationConfig.get;
import static org.assertj.core.api.Assertions.assertThat;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.yaml.snakeyaml.Yaml;

/**
 * The Helm chart, rendered by Helm itself (its Go libraries, through helm-java), agrees with the
 * application: ports, probe paths, profiles and configuration keys. No Kubernetes runs here, so the
 * rendered manifests are what is checked.
 */
@Timeout(120)
class HelmChartTest {

  private static final Path CHART = ApplicationConfig.ROOT.resolve("helm/blixard");
  private static final String RELEASE = "blix";
  private static final String NAMESPACE = "blixard-test";
  // The oldest Kubernetes the chart supports (Chart.yaml kubeVersion).
  private static final String KUBERNETES = "1.26.0";
  private static final Pattern VALUE_REFERENCE =
      Pattern.compile("\\.Values((?:\\.[A-Za-z0-9_]+)+)");

  private static ApplicationConfig config;
  private static Map<String, Map<String, Object>> manifests;

  @BeforeAll
  static void render() {
    config = ApplicationConfig.load();
    manifests = render(UnaryOperator.identity());
  }

  @Test
  void passesHelmLintStrict() {
    LintResult result = new Helm(CHART).lint().strict().call();
    assertThat(result.isFailed()).as("helm lint --strict: %s", result.getMessages()).isFalse();
  }

  @Test
  void rendersTheObjectsOfADeployment() {
    assertThat(manifests.keySet())
        .containsExactlyInAnyOrder(
            "ConfigMap/blix-blixard",
            "Service/blix-blixard",
            "Service/blix-blixard-peers",
            "StatefulSet/blix-blixard",
            "PodDisruptionBudget/blix-blixard",
            "Secret/blix-blixard-join-token");
  }

  @Test
  void everyPodGetsTheJoinTokenFromTheReleasesSecretAndTheOperatorsAndReadAccess() {
    Map<String, Map<String, Object>> rendered =
        render(
            template ->
                template.set("security.operators[0]", "op1").set("security.readAccess", "open"));
    assertThat(environment(rendered))
        .containsEntry("BLIXARD_SECURITY_OPERATORS", "op1")
        .containsEntry("BLIXARD_SECURITY_READ_ACCESS", "open");
    List<String> fromSecret = new java.util.ArrayList<>();
    for (Object variable : asList(container(rendered).get("env"), "env")) {
      Map<String, Object> v = asMap(variable, "env var");
      if (v.containsKey("valueFrom")) {
        Object secret = get(v, "valueFrom.secretKeyRef.name");
        if ("blix-blixard-join-token".equals(secret)) {
          fromSecret.add(String.valueOf(v.get("name")));
        }
      }
    }
    assertThat(fromSecret)
        .containsExactlyInAnyOrder(
            "BLIXARD_SECURITY_BOOTSTRAP_TOKEN", "BLIXARD_CLUSTER_JOIN_TOKEN");
    assertThat(get(rendered.get("Secret/blix-blixard-join-token"), "data.join-token"))
        .isEqualTo(
            java.util.Base64.getEncoder()
                .encodeToString(
                    "helmtest.0123456789abcdef0123456789abcdef"
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8)));
  }

  @Test
  void containerPortsAreTheApplicationsDefaults() {
    Map<String, String> ports = new HashMap<>();
    for (Object port : asList(get(container(), "ports"), "container ports")) {
      Map<String, Object> p = asMap(port, "container port");
      ports.put(
          String.valueOf(p.get("name")),
          p.get("containerPort") + "/" + String.valueOf(p.get("protocol")).toLowerCase());
    }
    assertThat(ports)
        .containsOnly(
            Map.entry("raft", config.raftPort() + "/tcp"),
            Map.entry("grpc", config.grpcPort() + "/tcp"),
            Map.entry("quic", config.quicPort() + "/udp"),
            Map.entry("http", config.httpPort() + "/tcp"));
  }

  @Test
  void clientServiceServesGrpcOverTcpAndQuicOverUdp() {
    Map<String, String> ports = servicePorts("Service/blix-blixard");
    assertThat(ports)
        .containsOnly(
            Map.entry("grpc", config.grpcPort() + "/TCP"),
            Map.entry("quic", config.quicPort() + "/UDP"),
            Map.entry("http", config.httpPort() + "/TCP"));
  }

  @Test
  void headlessServiceGivesPeersStableNamesBeforeTheyAreReady() {
    Map<String, Object> spec = spec("Service/blix-blixard-peers");
    assertThat(spec)
        .containsEntry("clusterIP", "None")
        .containsEntry("publishNotReadyAddresses", true);
    assertThat(servicePorts("Service/blix-blixard-peers"))
        .containsEntry("raft", config.raftPort() + "/TCP")
        .containsEntry("grpc", config.grpcPort() + "/TCP");
    assertThat(spec("StatefulSet/blix-blixard")).containsEntry("serviceName", "blix-blixard-peers");
  }

  @Test
  void probesUseTheApplicationsHealthGroupsOnTheHttpPort() {
    Map<String, Object> container = container();
    Set<String> groups = config.healthGroupPaths();
    for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
      Map<String, Object> httpGet = asMap(get(container, probe + ".httpGet"), probe);
      assertThat(groups).as(probe + " path").contains(String.valueOf(httpGet.get("path")));
      assertThat(httpGet.get("port")).as(probe + " port").isEqualTo("http");
    }
    assertThat(get(container, "livenessProbe.httpGet.path"))
        .isEqualTo(config.actuatorPath("health") + "/liveness");
    assertThat(get(container, "readinessProbe.httpGet.path"))
        .isEqualTo(config.actuatorPath("health") + "/readiness");
  }

  @Test
  void podZeroBootstrapsAndTheOthersJoinItThroughTheHeadlessService() {
    Map<String, String> env = environment();
    String domain = "blix-blixard-peers." + NAMESPACE + ".svc.cluster.local";
    assertThat(env)
        .containsEntry("BLIXARD_SEED", "blix-blixard-0." + domain + ":" + config.grpcPort())
        .containsEntry("BLIXARD_ADVERTISE_HOST", "$(POD_NAME)." + domain)
        .doesNotContainKey("BLIXARD_CLUSTER_JOIN");
    var advertise = config.environmentPlaceholder("cluster", "blixard.node.advertise-host");
    assertThat(advertise.getKey()).isEqualTo("BLIXARD_ADVERTISE_HOST");
    // The pod name is a StatefulSet pod's host name, which the entrypoint reads for the ordinal.
    assertThat(asList(get(container(), "env"), "env").get(0))
        .isEqualTo(Map.of("name", "POD_NAME", "valueFrom", fieldRef("metadata.name")));
    assertThat(spec("StatefulSet/blix-blixard")).containsEntry("podManagementPolicy", "Parallel");
  }

  @Test
  void dataDirectoryIsAPersistentVolumeClaimMountedWhereTheNodeKeepsItsData() {
    Map<String, Object> statefulSet = spec("StatefulSet/blix-blixard");
    List<Object> claims = asList(statefulSet.get("volumeClaimTemplates"), "volumeClaimTemplates");
    assertThat(claims).hasSize(1);
    assertThat(get(asMap(claims.get(0), "claim"), "metadata.name")).isEqualTo("data");
    String mountPath = mountPath("data");
    var dataDir = config.environmentPlaceholder("cluster", "blixard.node.data-dir");
    assertThat(environment()).containsEntry(dataDir.getKey(), mountPath);
    assertThat(get(profile(), "blixard.node.data-dir")).isEqualTo(mountPath);
  }

  @Test
  void configMapRendersValuesIntoAProfileOfKnownKeysThatThePodsActivateAndMount() {
    Map<String, Object> profile = profile();
    for (String key : ApplicationConfig.flatten(profile).keySet()) {
      assertThat(config.isKnownKey(key)).as("key %s is one the node knows", key).isTrue();
    }
    assertThat(get(profile, "blixard.cluster.raft.port")).isEqualTo(config.raftPort());
    assertThat(get(profile, "blixard.transport.grpc.port")).isEqualTo(config.grpcPort());
    assertThat(get(profile, "blixard.transport.quic.port")).isEqualTo(config.quicPort());
    assertThat(get(profile, "server.port")).isEqualTo(config.httpPort());
    assertThat(get(profile, "blixard.transport.mode")).isEqualTo("dual");

    Map<String, String> env = environment();
    assertThat(env)
        .containsEntry("SPRING_CONFIG_ADDITIONAL_LOCATION", "optional:file:/etc/blixard/");
    assertThat(mountPath("config")).isEqualTo("/etc/blixard");
    List<String> profiles = List.of(env.get("SPRING_PROFILES_ACTIVE").split(","));
    assertThat(profiles).containsExactly("cluster", "kubernetes");
    assertThat(config.profile("cluster")).isPresent();
    assertThat(asMap(get(manifests.get("ConfigMap/blix-blixard"), "data"), "data"))
        .containsOnlyKeys("application-kubernetes.yml");
    assertThat(env).containsEntry("SERVER_PORT", String.valueOf(config.httpPort()));
  }

  @Test
  void valuesFlowIntoTheProfileAndPortsEverywhere() {
    Map<String, Map<String, Object>> changed =
        render(
            template ->
                template
                    .set("ports.grpc", 9101)
                    .set("ports.quic", 9102)
                    .set("ports.http", 9180)
                    .set("config.blixard.transport.mode", "grpc")
                    .set("replicaCount", 5));
    Map<String, Object> profile = profile(changed);
    assertThat(get(profile, "blixard.transport.grpc.port")).isEqualTo(9101);
    assertThat(get(profile, "blixard.transport.quic.port")).isEqualTo(9102);
    assertThat(get(profile, "server.port")).isEqualTo(9180);
    assertThat(get(profile, "blixard.transport.mode")).isEqualTo("grpc");
    assertThat(get(profile, "blixard.transport.strategy.fallback-to-grpc")).isEqualTo(true);
    assertThat(get(changed.get("StatefulSet/blix-blixard"), "spec.replicas")).isEqualTo(5);
    assertThat(servicePorts(changed, "Service/blix-blixard"))
        .containsOnly(
            Map.entry("grpc", "9101/TCP"),
            Map.entry("quic", "9102/UDP"),
            Map.entry("http", "9180/TCP"));
    assertThat(environment(changed))
        .containsEntry("SERVER_PORT", "9180")
        .hasEntrySatisfying("BLIXARD_SEED", seed -> assertThat(seed).endsWith(":9101"));
  }

  @Test
  void runsAsTheImagesNonRootUserWithoutPrivileges() {
    Map<String, Object> pod = asMap(get(spec("StatefulSet/blix-blixard"), "template.spec"), "pod");
    assertThat(asMap(pod.get("securityContext"), "pod securityContext"))
        .containsEntry("runAsNonRoot", true)
        .containsEntry("runAsUser", 10001)
        .containsEntry("fsGroup", 10001);
    assertThat(asMap(container().get("securityContext"), "container securityContext"))
        .containsEntry("allowPrivilegeEscalation", false)
        .containsEntry("readOnlyRootFilesystem", true);
    // A read-only root needs a writable /tmp for the JVM and the QUIC native library.
    assertThat(mountPath("tmp")).isEqualTo("/tmp");
  }

  @Test
  void disruptionBudgetKeepsAQuorumAndServiceMonitorIsOptional() {
    Map<String, Object> budget = spec("PodDisruptionBudget/blix-blixard");
    assertThat(budget).containsEntry("maxUnavailable", 1);
    assertThat(get(budget, "selector.matchLabels"))
        .isEqualTo(get(spec("StatefulSet/blix-blixard"), "selector.matchLabels"));

    Map<String, Map<String, Object>> monitored =
        render(template -> template.set("serviceMonitor.enabled", true));
    Map<String, Object> monitor = monitored.get("ServiceMonitor/blix-blixard");
    assertThat(monitor).as("ServiceMonitor when enabled").isNotNull();
    Map<String, Object> endpoint =
        asMap(asList(get(monitor, "spec.endpoints"), "endpoints").get(0), "endpoint");
    assertThat(endpoint)
        .containsEntry("port", "http")
        .containsEntry("path", config.actuatorPath("prometheus"));
    assertThat(config.exposedEndpoints()).contains("prometheus");
    // It selects the headless Service, whose endpoints include pods that are not ready.
    assertThat(asMap(get(monitor, "spec.selector.matchLabels"), "selector"))
        .containsEntry("app.kubernetes.io/component", "peers");
    assertThat(asMap(get(monitored.get("Service/blix-blixard-peers"), "metadata.labels"), "labels"))
        .containsEntry("app.kubernetes.io/component", "peers");
  }

  @Test
  void everyValueTheTemplatesReferenceIsInValuesYaml() throws Exception {
    Map<String, Object> values =
        asMap(
            new Yaml().load(java.nio.file.Files.readString(CHART.resolve("values.yaml"))),
            "values.yaml");
    Set<String> missing = new HashSet<>();
    List<Path> templates;
    try (var files = java.nio.file.Files.list(CHART.resolve("templates"))) {
      templates = files.toList();
    }
    assertThat(templates).isNotEmpty();
    for (Path template : templates) {
      Matcher reference = VALUE_REFERENCE.matcher(java.nio.file.Files.readString(template));
      while (reference.find()) {
        String path = reference.group(1).substring(1);
        if (!containsPath(values, path)) {
          missing.add(template.getFileName() + ": .Values." + path);
        }
      }
    }
    assertThat(missing).as("references to values that values.yaml does not define").isEmpty();
  }

  private static boolean containsPath(Map<String, Object> tree, String dottedPath) {
    Object current = tree;
    for (String part : dottedPath.split("\\.")) {
      if (!(current instanceof Map<?, ?> map) || !map.containsKey(part)) {
        return false;
      }
      current = map.get(part);
    }
    return true;
  }

  private static Map<String, Map<String, Object>> render(UnaryOperator<TemplateCommand> options) {
    String rendered =
        options
            .apply(
                new Helm(CHART)
                    .template()
                    .withName(RELEASE)
                    .withNamespace(NAMESPACE)
                    .withKubeVersion(KUBERNETES)
                    // Rendered without a cluster: a given token, not one looked up.
                    .set("security.joinToken", "helmtest.0123456789abcdef0123456789abcdef"))
            .call();
    Map<String, Map<String, Object>> byKindAndName = new HashMap<>();
    for (Object document : new Yaml().loadAll(rendered)) {
      if (document == null) {
        continue;
      }
      Map<String, Object> manifest = asMap(document, "rendered manifest");
      String key = manifest.get("kind") + "/" + get(manifest, "metadata.name");
      assertThat(byKindAndName.put(key, manifest)).as("one %s", key).isNull();
    }
    return byKindAndName;
  }

  private static Map<String, Object> spec(String object) {
    return asMap(manifests.get(object).get("spec"), object + " spec");
  }

  private static Map<String, Object> container() {
    return container(manifests);
  }

  private static Map<String, Object> container(Map<String, Map<String, Object>> rendered) {
    Object containers =
        get(rendered.get("StatefulSet/blix-blixard"), "spec.template.spec.containers");
    List<Object> list = asList(containers, "containers");
    assertThat(list).hasSize(1);
    return asMap(list.get(0), "container");
  }

  private static Map<String, String> environment() {
    return environment(manifests);
  }

  private static Map<String, String> environment(Map<String, Map<String, Object>> rendered) {
    Map<String, String> env = new HashMap<>();
    for (Object variable : asList(container(rendered).get("env"), "env")) {
      Map<String, Object> v = asMap(variable, "env var");
      if (v.containsKey("value")) {
        env.put(String.valueOf(v.get("name")), String.valueOf(v.get("value")));
      }
    }
    return env;
  }

  private static String mountPath(String volume) {
    return asList(container().get("volumeMounts"), "volumeMounts").stream()
        .map(m -> asMap(m, "volumeMount"))
        .filter(m -> volume.equals(m.get("name")))
        .map(m -> String.valueOf(m.get("mountPath")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volumeMount named " + volume));
  }

  private static Map<String, Object> profile() {
    return profile(manifests);
  }

  private static Map<String, Object> profile(Map<String, Map<String, Object>> rendered) {
    Object text =
        asMap(get(rendered.get("ConfigMap/blix-blixard"), "data"), "ConfigMap data")
            .get("application-kubernetes.yml");
    return asMap(new Yaml().load(String.valueOf(text)), "application-kubernetes.yml");
  }

  private static Map<String, String> servicePorts(String service) {
    return servicePorts(manifests, service);
  }

  private static Map<String, String> servicePorts(
      Map<String, Map<String, Object>> rendered, String service) {
    return asList(get(rendered.get(service), "spec.ports"), service + " ports").stream()
        .map(p -> asMap(p, "service port"))
        .collect(
            Collectors.toMap(
                p -> String.valueOf(p.get("name")),
                p -> {
                  assertThat(p.get("targetPort")).isEqualTo(p.get("name"));
                  return p.get("port") + "/" + p.get("protocol");
                }));
  }

  private static Map<String, Object> fieldRef(String path) {
    return Map.of("fieldRef", Map.of("fieldPath", path));
  }
}
