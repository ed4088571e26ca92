package io.blixard.deploy;

import static io.blixard.deploy.ApplicationConfig.asList;
import static io.blixard.deploy.ApplicationConfig.asMap;
import static io.blixard.deploy.ApplicationConfig.get;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.io.IOException;
import java.nio.file.Files;
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
  // A row of the chart README's table of values: | `key` | default | meaning |
  private static final Pattern README_ROW = Pattern.compile("(?m)^\\| `([A-Za-z0-9.]+)` \\|");
  private static final Pattern VALUE_REFERENCE =
      Pattern.compile("\\.Values((?:\\.[A-Za-z0-9_]+)+)");

  private static final String OPERATOR = "5n4avjkram2t542pu5u3dgswcgyzp7teh2wpns5zorfi55bfgzkq";
  private static final Path TEST_POD = Path.of("templates/tests/test-health.yaml");
  private static final String TEST_HOOK = "    helm.sh/hook: test\n";

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
            "Secret/blix-blixard-join-token",
            "NetworkPolicy/blix-blixard",
            "ServiceAccount/blix-blixard",
            "Role/blix-blixard-scale-down",
            "RoleBinding/blix-blixard-scale-down");
  }

  @Test
  void aScaleDownLeavesTheGroupFromAPreStopHookThatAsksTheApiServerForTheReplicas() {
    Map<String, Object> pod =
        asMap(get(manifests.get("StatefulSet/blix-blixard"), "spec.template.spec"), "pod");
    assertThat(pod)
        .containsEntry("serviceAccountName", "blix-blixard")
        .containsEntry("automountServiceAccountToken", true);
    List<Object> command =
        asList(get(container(), "lifecycle.preStop.exec.command"), "preStop command");
    assertThat(command.subList(0, 2)).containsExactly("/bin/sh", "-c");
    String script = (String) command.get(2);
    assertThat(script)
        .startsWith("JAVA_OPTS='-Xmx64m")
        .contains(" exec /opt/blixard/entrypoint.sh ");
    // The hook's arguments are a command line the CLI takes, naming this pod's node and its own
    // StatefulSet, its data directory and gRPC port.
    List<String> args =
        List.of(script.substring(script.indexOf("entrypoint.sh ") + 14).trim().split("\\s+"));
    assertThat(args)
        .containsSubsequence("cluster", "leave", "--only-on-scale-down")
        .containsSubsequence("--statefulset", "blix-blixard")
        .containsSubsequence("--as-node", mountPath("data"))
        .containsSubsequence("--node", "127.0.0.1:" + config.grpcPort())
        .containsSubsequence("--timeout", "20s");
    var parsed =
        io.blixard.cli.BlixardCliAccess.commandLine().parseArgs(args.toArray(String[]::new));
    assertThat(parsed.subcommand().subcommand().commandSpec().name()).isEqualTo("leave");
    // The leave and the grace period: the hook must end well before the pod is killed.
    assertThat((Integer) pod.get("terminationGracePeriodSeconds")).isGreaterThan(20);

    // The service account may read this one StatefulSet and nothing else.
    List<Object> rules =
        asList(manifests.get("Role/blix-blixard-scale-down").get("rules"), "rules");
    assertThat(rules)
        .containsExactly(
            Map.of(
                "apiGroups", List.of("apps"),
                "resources", List.of("statefulsets"),
                "resourceNames", List.of("blix-blixard"),
                "verbs", List.of("get")));
    assertThat(get(manifests.get("RoleBinding/blix-blixard-scale-down"), "subjects"))
        .isEqualTo(
            List.of(
                Map.of("kind", "ServiceAccount", "name", "blix-blixard", "namespace", NAMESPACE)));
    // A node that left must not come back with its old state: its claim goes with a scale-down.
    assertThat(spec("StatefulSet/blix-blixard").get("persistentVolumeClaimRetentionPolicy"))
        .isEqualTo(Map.of("whenDeleted", "Retain", "whenScaled", "Delete"));

    Map<String, Map<String, Object>> off =
        render(template -> template.set("leaveOnScaleDown.enabled", false));
    assertThat(off.keySet())
        .noneMatch(k -> k.startsWith("ServiceAccount/") || k.startsWith("Role"));
    assertThat(container(off)).doesNotContainKey("lifecycle");
    assertThat(asMap(get(off.get("StatefulSet/blix-blixard"), "spec.template.spec"), "pod"))
        .containsEntry("automountServiceAccountToken", false)
        .doesNotContainKey("serviceAccountName");
    assertThat(spec(off, "StatefulSet/blix-blixard"))
        .doesNotContainKey("persistentVolumeClaimRetentionPolicy");
  }

  @Test
  void schemaRejectsAWrongTypeAndAMisspeltValue() throws Exception {
    assertThatThrownBy(() -> render(template -> template.set("replicaCount", "three")))
        .hasMessageContaining("replicaCount")
        .hasMessageContaining("integer");
    assertThatThrownBy(() -> render(template -> template.set("security.readAccess", "everyone")))
        .hasMessageContaining("readAccess");
    assertThatThrownBy(() -> render(template -> template.set("replicas", 3)))
        .hasMessageContaining("replicas");

    // helm lint --strict reads the chart's own values.yaml: a copy with a wrong type fails it.
    Path copy = copyOfChart();
    Path values = copy.resolve("values.yaml");
    String text = Files.readString(values);
    assertThat(text).contains("\nreplicaCount: 3\n");
    Files.writeString(values, text.replace("\nreplicaCount: 3\n", "\nreplicaCount: three\n"));
    LintResult result = new Helm(copy).lint().strict().call();
    assertThat(result.isFailed()).as("helm lint --strict of replicaCount: three").isTrue();
    assertThat(String.join("\n", result.getMessages())).contains("replicaCount");
  }

  @Test
  void networkPolicyOpensClusterPortsToTheReleaseAndClientPortsToItsClients() {
    Map<String, Object> policy = spec("NetworkPolicy/blix-blixard");
    Object nodes = get(spec("StatefulSet/blix-blixard"), "selector.matchLabels");
    assertThat(get(policy, "podSelector.matchLabels")).isEqualTo(nodes);
    assertThat(policy.get("policyTypes")).isEqualTo(List.of("Ingress"));
    Map<Object, Set<String>> portsBySource = ingress(manifests);
    assertThat(portsBySource)
        .containsOnly(
            Map.entry(
                Map.of("podSelector", Map.of("matchLabels", nodes)),
                Set.of(
                    config.raftPort() + "/TCP",
                    config.grpcPort() + "/TCP",
                    config.quicPort() + "/UDP",
                    config.httpPort() + "/TCP")),
            Map.entry(
                Map.of("podSelector", Map.of("matchLabels", Map.of("blix-blixard-client", "true"))),
                Set.of(config.grpcPort() + "/TCP", config.quicPort() + "/UDP")));

    Map<String, Object> monitoring =
        Map.of("namespaceSelector", Map.of("matchLabels", Map.of("name", "monitoring")));
    Map<String, Object> otherClients =
        Map.of("namespaceSelector", Map.of("matchLabels", Map.of("name", "apps")));
    Map<Object, Set<String>> opened =
        ingress(
            renderWithValues(
                Map.of(
                    "networkPolicy",
                    Map.of("http", List.of(monitoring), "clients", List.of(otherClients)))));
    assertThat(opened)
        .containsEntry(monitoring, Set.of(config.httpPort() + "/TCP"))
        .containsEntry(
            otherClients, Set.of(config.grpcPort() + "/TCP", config.quicPort() + "/UDP"));

    assertThat(render(template -> template.set("networkPolicy.enabled", false)))
        .doesNotContainKey("NetworkPolicy/blix-blixard");
  }

  @Test
  void persistenceIsAClaimPerNodeOrAnExistingClaimOrAnEmptyDir() {
    Map<String, Object> claim = dataClaim(manifests);
    assertThat(get(claim, "spec.accessModes")).isEqualTo(List.of("ReadWriteOnce"));
    assertThat(get(claim, "spec.resources.requests.storage")).isEqualTo("1Gi");
    assertThat(asMap(claim.get("spec"), "claim spec")).doesNotContainKey("storageClassName");

    Map<String, Object> fast =
        dataClaim(
            render(
                template ->
                    template
                        .set("persistence.storageClass", "fast-ssd")
                        .set("persistence.size", "10Gi")
                        .set("persistence.accessModes[0]", "ReadWriteOncePod")
                        .set("persistence.annotations.backup", "daily")));
    assertThat(get(fast, "spec.storageClassName")).isEqualTo("fast-ssd");
    assertThat(get(fast, "spec.resources.requests.storage")).isEqualTo("10Gi");
    assertThat(get(fast, "spec.accessModes")).isEqualTo(List.of("ReadWriteOncePod"));
    assertThat(get(fast, "metadata.annotations.backup")).isEqualTo("daily");
    assertThat(
            get(
                dataClaim(render(template -> template.set("persistence.storageClass", "-"))),
                "spec.storageClassName"))
        .isEqualTo("");

    Map<String, Map<String, Object>> ephemeral =
        render(template -> template.set("persistence.enabled", false));
    assertThat(spec(ephemeral, "StatefulSet/blix-blixard"))
        .doesNotContainKey("volumeClaimTemplates");
    assertThat(volume(ephemeral, "data")).containsEntry("emptyDir", Map.of("sizeLimit", "1Gi"));

    Map<String, Map<String, Object>> existing =
        render(
            template ->
                template.set("persistence.existingClaim", "blixard-data").set("replicaCount", 1));
    assertThat(spec(existing, "StatefulSet/blix-blixard"))
        .doesNotContainKey("volumeClaimTemplates");
    assertThat(volume(existing, "data"))
        .containsEntry("persistentVolumeClaim", Map.of("claimName", "blixard-data"));
    assertThatThrownBy(
            () -> render(template -> template.set("persistence.existingClaim", "blixard-data")))
        .hasMessageContaining("persistence.existingClaim=blixard-data with replicaCount=3")
        .hasMessageContaining("data-blix-blixard-<ordinal>");
  }

  @Test
  void extensionPointsRenderIntoThePod() {
    Map<String, Object> spread =
        Map.of(
            "maxSkew", 1,
            "topologyKey", "topology.kubernetes.io/zone",
            "whenUnsatisfiable", "ScheduleAnyway");
    Map<String, Object> own =
        Map.of(
            "maxSkew",
            2,
            "topologyKey",
            "kubernetes.io/hostname",
            "whenUnsatisfiable",
            "DoNotSchedule",
            "labelSelector",
            Map.of("matchLabels", Map.of("tier", "raft")));
    Map<String, Map<String, Object>> rendered =
        renderWithValues(
            Map.of(
                "extraEnv", List.of(Map.of("name", "BLIXARD_EXAMPLE", "value", "1")),
                "extraVolumes",
                    List.of(Map.of("name", "certs", "secret", Map.of("secretName", "c"))),
                "extraVolumeMounts", List.of(Map.of("name", "certs", "mountPath", "/certs")),
                "initContainers", List.of(Map.of("name", "wait", "image", "busybox")),
                "sidecars", List.of(Map.of("name", "logs", "image", "fluent-bit")),
                "topologySpreadConstraints", List.of(spread, own),
                "priorityClassName", "blixard-critical"));
    Map<String, Object> pod = podSpec(rendered);
    assertThat(environment(rendered)).containsEntry("BLIXARD_EXAMPLE", "1");
    assertThat(volume(rendered, "certs")).containsEntry("secret", Map.of("secretName", "c"));
    assertThat(asList(container(rendered).get("volumeMounts"), "volumeMounts"))
        .contains(Map.of("name", "certs", "mountPath", "/certs"));
    assertThat(asList(pod.get("initContainers"), "initContainers"))
        .containsExactly(Map.of("name", "wait", "image", "busybox"));
    assertThat(asList(pod.get("containers"), "containers"))
        .extracting(c -> asMap(c, "container").get("name"))
        .containsExactly("blixard", "logs");
    Map<String, Object> withSelector = new HashMap<>(spread);
    withSelector.put(
        "labelSelector",
        Map.of("matchLabels", get(spec("StatefulSet/blix-blixard"), "selector.matchLabels")));
    assertThat(asList(pod.get("topologySpreadConstraints"), "topologySpreadConstraints"))
        .containsExactly(withSelector, own);
    assertThat(pod).containsEntry("priorityClassName", "blixard-critical");

    // Without them the pod has none of these, and never the Services' environment variables.
    Map<String, Object> plain = podSpec(manifests);
    assertThat(plain)
        .doesNotContainKeys("initContainers", "topologySpreadConstraints", "priorityClassName")
        .containsEntry("enableServiceLinks", false);
    assertThat(asList(plain.get("containers"), "containers")).hasSize(1);
  }

  @Test
  void helmTestPodRunsBlixardHealthAgainstEveryNodeAsAClientOfTheRelease() throws IOException {
    assertThat(CHART.resolve(TEST_POD)).content().contains(TEST_HOOK);
    Map<String, Object> pod = renderTestPod(UnaryOperator.identity());
    assertThat(asMap(get(pod, "metadata.annotations"), "annotations"))
        .containsEntry("helm.sh/hook-delete-policy", "before-hook-creation,hook-succeeded");
    Map<String, Object> labels = asMap(get(pod, "metadata.labels"), "labels");
    assertThat(labels).containsEntry("blix-blixard-client", "true");
    // Not one of the nodes: the Services must not send clients to it.
    Map<String, Object> nodes =
        asMap(get(spec("StatefulSet/blix-blixard"), "selector.matchLabels"), "selector");
    assertThat(labels.entrySet().containsAll(nodes.entrySet()))
        .as("test pod selected as a node")
        .isFalse();

    Map<String, Object> spec = asMap(pod.get("spec"), "test pod spec");
    assertThat(spec)
        .containsEntry("restartPolicy", "Never")
        .containsEntry("enableServiceLinks", false)
        .containsEntry("securityContext", podSpec(manifests).get("securityContext"));
    Map<String, Object> test = asMap(asList(spec.get("containers"), "containers").get(0), "test");
    assertThat(test.get("image")).isEqualTo(container().get("image"));
    String script =
        String.join(
            " ", asList(test.get("command"), "command").stream().map(String::valueOf).toList());
    String domain = "blix-blixard-peers." + NAMESPACE + ".svc.cluster.local";
    for (int ordinal = 0; ordinal < 3; ordinal++) {
      assertThat(script)
          .contains("blix-blixard-" + ordinal + "." + domain + ":" + config.grpcPort());
    }
    assertThat(script)
        .doesNotContain("blix-blixard-3.")
        .contains("/opt/blixard/entrypoint.sh health --node");
    assertThat(test.get("env"))
        .isEqualTo(List.of(Map.of("name", "BLIXARD_CONFIG_DIR", "value", "/tmp/blixard")));

    Map<String, Object> withOperator =
        renderTestPod(template -> template.set("tests.operatorSecret", "blixard-test-operator"));
    Map<String, Object> operatorTest =
        asMap(asList(get(withOperator, "spec.containers"), "containers").get(0), "test");
    assertThat(operatorTest.get("env"))
        .isEqualTo(List.of(Map.of("name", "BLIXARD_CONFIG_DIR", "value", "/etc/blixard-operator")));
    assertThat(asList(operatorTest.get("volumeMounts"), "volumeMounts"))
        .contains(
            Map.of("name", "operator", "mountPath", "/etc/blixard-operator", "readOnly", true));
    assertThat(asList(get(withOperator, "spec.volumes"), "volumes"))
        .anySatisfy(
            v ->
                assertThat(get(asMap(v, "volume"), "secret.secretName"))
                    .isEqualTo("blixard-test-operator"));

    assertThatThrownBy(() -> renderTestPod(template -> template.set("tests.enabled", false)))
        .hasMessageContaining("no test pod");
  }

  @Test
  void readmeDocumentsEveryValueAndTheSchemaKnowsEveryDocumentedOne() throws Exception {
    Map<String, Object> values =
        asMap(new Yaml().load(Files.readString(CHART.resolve("values.yaml"))), "values.yaml");
    Map<String, Object> schema =
        asMap(new Yaml().load(Files.readString(CHART.resolve("values.schema.json"))), "schema");
    Set<String> documented = new HashSet<>();
    Matcher row = README_ROW.matcher(Files.readString(CHART.resolve("README.md")));
    while (row.find()) {
      documented.add(row.group(1));
    }
    assertThat(documented).isNotEmpty();
    for (String key : documented) {
      assertThat(containsPath(values, key)).as("README's %s is in values.yaml", key).isTrue();
      assertThat(schemaHas(schema, key)).as("README's %s is in values.schema.json", key).isTrue();
    }
    for (String leaf : ApplicationConfig.flatten(values).keySet()) {
      assertThat(documented)
          .as("a README row for %s or a value that holds it", leaf)
          .anySatisfy(key -> assertThat(leaf.equals(key) || leaf.startsWith(key + ".")).isTrue());
    }
  }

  @Test
  void everyPodGetsTheJoinTokenFromTheReleasesSecretAndTheOperatorsAndReadAccess() {
    Map<String, Map<String, Object>> rendered =
        render(
            template ->
                template.set("security.operators[0]", OPERATOR).set("security.readAccess", "open"));
    assertThat(environment(rendered))
        .containsEntry("BLIXARD_SECURITY_OPERATORS", OPERATOR)
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
  void podZeroBootstrapsOnInstallOnlyAndJoinsTheOtherPodsWhenToldNever() {
    String domain = "blix-blixard-peers." + NAMESPACE + ".svc.cluster.local:" + config.grpcPort();
    // helm template renders an install; an upgrade renders never (Release.IsInstall is false).
    assertThat(environment())
        .containsEntry("BLIXARD_CLUSTER_BOOTSTRAP", "new")
        .containsEntry(
            "BLIXARD_MEMBERS",
            "blix-blixard-0." + domain + ",blix-blixard-1." + domain + ",blix-blixard-2." + domain);
    Map<String, String> never = environment(render(template -> template.set("bootstrap", "never")));
    assertThat(never).containsEntry("BLIXARD_CLUSTER_BOOTSTRAP", "never");
    assertThat(environment(render(template -> template.set("replicaCount", 1))))
        .containsEntry("BLIXARD_MEMBERS", "blix-blixard-0." + domain);
    assertThatThrownBy(() -> render(template -> template.set("bootstrap", "sometimes")))
        .hasMessageContaining("bootstrap");
    // BLIXARD_CLUSTER_BOOTSTRAP is the node's own setting (relaxed binding), checked there.
    assertThat(config.isKnownKey("blixard.cluster.bootstrap")).isTrue();
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
  void shipsTheSameAlertRulesAndDashboardAsCompose() throws IOException {
    assertThat(Files.readString(CHART.resolve("files/blixard-alerts.yml")))
        .as("helm/blixard/files/blixard-alerts.yml is a copy of Compose's")
        .isEqualTo(Files.readString(DashboardAndAlertsTest.ALERTS));
    assertThat(Files.readString(CHART.resolve("files/migration.json")))
        .as("helm/blixard/files/migration.json is a copy of Compose's")
        .isEqualTo(Files.readString(DashboardAndAlertsTest.DASHBOARD));
  }

  @Test
  void prometheusRuleIsOptionalAndPassesPromtool() throws Exception {
    assertThat(manifests.keySet()).noneMatch(k -> k.startsWith("PrometheusRule/"));
    Map<String, Map<String, Object>> rendered =
        render(
            template ->
                template
                    .set("prometheusRule.enabled", true)
                    .set("prometheusRule.labels.release", "prometheus"));
    Map<String, Object> rule = rendered.get("PrometheusRule/blix-blixard");
    assertThat(rule).as("PrometheusRule when enabled").isNotNull();
    assertThat(rule.get("apiVersion")).isEqualTo("monitoring.coreos.com/v1");
    assertThat(asMap(get(rule, "metadata.labels"), "labels"))
        .containsEntry("release", "prometheus")
        .containsEntry("app.kubernetes.io/name", "blixard");
    Map<String, Object> spec = asMap(rule.get("spec"), "PrometheusRule spec");
    assertThat(spec)
        .as("the rules file, as it is")
        .isEqualTo(new Yaml().load(Files.readString(DashboardAndAlertsTest.ALERTS)));
    // The operator hands spec.groups to Prometheus as a rules file.
    Path file = Files.createTempFile("blixard-prometheusrule", ".yml");
    Files.writeString(file, new Yaml().dump(spec));
    io.blixard.support.Promtool.assertValidRules(file);
  }

  @Test
  void dashboardConfigMapIsOptionalAndLabelledForTheGrafanaSidecar() throws Exception {
    assertThat(manifests).doesNotContainKey("ConfigMap/blix-blixard-dashboards");
    Map<String, Map<String, Object>> rendered =
        render(
            template ->
                template
                    .set("grafanaDashboard.enabled", true)
                    .set("grafanaDashboard.labels.team", "storage")
                    .set("grafanaDashboard.annotations.grafana_folder", "Blixard"));
    Map<String, Object> configMap = rendered.get("ConfigMap/blix-blixard-dashboards");
    assertThat(configMap).as("dashboard ConfigMap when enabled").isNotNull();
    assertThat(asMap(get(configMap, "metadata.labels"), "labels"))
        .containsEntry("grafana_dashboard", "1")
        .containsEntry("team", "storage");
    assertThat(asMap(get(configMap, "metadata.annotations"), "annotations"))
        .containsEntry("grafana_folder", "Blixard");
    Map<String, Object> data = asMap(configMap.get("data"), "data");
    assertThat(data).containsOnlyKeys("blixard-migration.json");
    var json = new com.fasterxml.jackson.databind.ObjectMapper();
    assertThat(json.readTree(String.valueOf(data.get("blixard-migration.json"))))
        .isEqualTo(json.readTree(DashboardAndAlertsTest.DASHBOARD.toFile()));
  }

  @Test
  void everyValueTheTemplatesReferenceIsInValuesYaml() throws Exception {
    Map<String, Object> values =
        asMap(
            new Yaml().load(java.nio.file.Files.readString(CHART.resolve("values.yaml"))),
            "values.yaml");
    Set<String> missing = new HashSet<>();
    List<Path> templates;
    try (var files = Files.walk(CHART.resolve("templates"))) {
      templates = files.filter(Files::isRegularFile).toList();
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

  /** Whether the schema describes the value at {@code dottedPath}. */
  private static boolean schemaHas(Map<String, Object> schema, String dottedPath) {
    Object current = schema;
    for (String part : dottedPath.split("\\.")) {
      Object properties = current instanceof Map<?, ?> map ? map.get("properties") : null;
      if (!(properties instanceof Map<?, ?> byName) || !byName.containsKey(part)) {
        return false;
      }
      current = byName.get(part);
    }
    return true;
  }

  private static final String SEED_ID = "y3ohvim5kwjbx7nu2rfh5jthjpfattpanxbh6k3p7tas5ddmqusa";

  private static UnaryOperator<TemplateCommand> quicMode() {
    return template ->
        template.set("config.blixard.transport.mode", "quic").set("quicMode.seedNodeId", SEED_ID);
  }

  @Test
  void quicModeOpensNoTcpPortButHttpAndRunsRaftOverQuic() {
    Map<String, Map<String, Object>> quic = render(quicMode());

    Map<String, String> ports = new HashMap<>();
    for (Object port : asList(get(container(quic), "ports"), "container ports")) {
      Map<String, Object> p = asMap(port, "container port");
      ports.put(String.valueOf(p.get("name")), p.get("containerPort") + "/" + p.get("protocol"));
    }
    assertThat(ports)
        .containsOnly(
            Map.entry("quic", config.quicPort() + "/UDP"),
            Map.entry("http", config.httpPort() + "/TCP"));
    for (String service : List.of("Service/blix-blixard", "Service/blix-blixard-peers")) {
      assertThat(servicePorts(quic, service))
          .as(service)
          .containsOnly(
              Map.entry("quic", config.quicPort() + "/UDP"),
              Map.entry("http", config.httpPort() + "/TCP"));
    }
    Object nodes = get(spec(quic, "StatefulSet/blix-blixard"), "selector.matchLabels");
    assertThat(ingress(quic))
        .containsOnly(
            Map.entry(
                Map.of("podSelector", Map.of("matchLabels", nodes)),
                Set.of(config.quicPort() + "/UDP", config.httpPort() + "/TCP")),
            Map.entry(
                Map.of("podSelector", Map.of("matchLabels", Map.of("blix-blixard-client", "true"))),
                Set.of(config.quicPort() + "/UDP")));
    Map<String, Object> profile = profile(quic);
    assertThat(get(profile, "blixard.transport.mode")).isEqualTo("quic");
    assertThat(get(profile, "blixard.transport.strategy.raft-transport")).isEqualTo("always-quic");
    // The values' own strategy keys stay.
    assertThat(get(profile, "blixard.transport.strategy.fallback-to-grpc")).isEqualTo(true);
    assertThat(config.isKnownKey("blixard.transport.strategy.raft-transport")).isTrue();
    // The preStop leave asks the node over gRPC, which a quic-mode node does not serve.
    assertThat(container(quic)).doesNotContainKey("lifecycle");
  }

  @Test
  void quicModePodsJoinPodZeroByItsNodeIdAndTheChartSaysWhenItIsMissing() throws IOException {
    Map<String, Map<String, Object>> quic = render(quicMode());
    String pod0 =
        SEED_ID
            + "@blix-blixard-0.blix-blixard-peers."
            + NAMESPACE
            + ".svc.cluster.local:"
            + config.quicPort();
    assertThat(environment(quic))
        .containsEntry("BLIXARD_SEED", pod0)
        .containsEntry("BLIXARD_MEMBERS", "");

    Map<String, Object> test =
        asMap(
            asList(get(renderTestPod(quicMode()), "spec.containers"), "containers").get(0), "test");
    String script =
        String.join(
            " ", asList(test.get("command"), "command").stream().map(String::valueOf).toList());
    assertThat(script)
        .contains("health --node \"" + pod0 + "\"")
        .contains("cluster-health --node \"" + pod0 + "\"")
        .doesNotContain(":" + config.grpcPort());

    assertThatThrownBy(
            () -> render(template -> template.set("config.blixard.transport.mode", "quic")))
        .hasMessageContaining("quicMode.seedNodeId must be pod 0's node id");
    assertThatThrownBy(
            () -> render(quicMode().andThen(t -> t.set("quicMode.seedNodeId", "x"))::apply))
        .hasMessageContaining("seedNodeId");
  }

  private static Map<Object, Set<String>> ingress(Map<String, Map<String, Object>> rendered) {
    Map<Object, Set<String>> portsBySource = new HashMap<>();
    for (Object rule :
        asList(get(rendered.get("NetworkPolicy/blix-blixard"), "spec.ingress"), "ingress")) {
      Map<String, Object> r = asMap(rule, "ingress rule");
      Set<String> ports = new HashSet<>();
      for (Object port : asList(r.get("ports"), "ports")) {
        Map<String, Object> p = asMap(port, "port");
        ports.add(p.get("port") + "/" + p.get("protocol"));
      }
      for (Object source : asList(r.get("from"), "from")) {
        portsBySource.computeIfAbsent(source, s -> new HashSet<>()).addAll(ports);
      }
    }
    return portsBySource;
  }

  private static Map<String, Object> dataClaim(Map<String, Map<String, Object>> rendered) {
    List<Object> claims =
        asList(spec(rendered, "StatefulSet/blix-blixard").get("volumeClaimTemplates"), "claims");
    assertThat(claims).hasSize(1);
    Map<String, Object> claim = asMap(claims.get(0), "claim");
    assertThat(get(claim, "metadata.name")).isEqualTo("data");
    return claim;
  }

  private static Map<String, Object> podSpec(Map<String, Map<String, Object>> rendered) {
    return asMap(get(rendered.get("StatefulSet/blix-blixard"), "spec.template.spec"), "pod spec");
  }

  private static Map<String, Object> volume(
      Map<String, Map<String, Object>> rendered, String name) {
    return asList(podSpec(rendered).get("volumes"), "volumes").stream()
        .map(v -> asMap(v, "volume"))
        .filter(v -> name.equals(v.get("name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no volume named " + name));
  }

  private static Path copyOfChart() throws IOException {
    Path copy = Files.createTempDirectory("blixard-chart");
    try (var files = Files.walk(CHART)) {
      for (Path file : files.toList()) {
        Path to = copy.resolve(CHART.relativize(file).toString());
        if (Files.isDirectory(file)) {
          Files.createDirectories(to);
        } else {
          Files.copy(file, to);
        }
      }
    }
    return copy;
  }

  private static Map<String, Map<String, Object>> renderWithValues(Map<String, Object> values) {
    try {
      Path file = Files.createTempFile("blixard-values", ".yaml");
      Files.writeString(file, new Yaml().dump(values));
      return render(template -> template.withValuesFile(file));
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
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

  /**
   * The helm test pod. Helm's template API prints no hooks, so a copy of the chart without the test
   * hook annotation renders it as a plain manifest.
   */
  private static Map<String, Object> renderTestPod(UnaryOperator<TemplateCommand> options)
      throws IOException {
    Path copy = copyOfChart();
    Path template = copy.resolve(TEST_POD);
    Files.writeString(template, Files.readString(template).replace(TEST_HOOK, ""));
    Map<String, Object> pod = render(copy, options).get("Pod/blix-blixard-test-health");
    if (pod == null) {
      throw new AssertionError("no test pod rendered");
    }
    return pod;
  }

  private static Map<String, Map<String, Object>> render(UnaryOperator<TemplateCommand> options) {
    return render(CHART, options);
  }

  private static Map<String, Map<String, Object>> render(
      Path chart, UnaryOperator<TemplateCommand> options) {
    String rendered =
        options
            .apply(
                new Helm(chart)
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
    return spec(manifests, object);
  }

  private static Map<String, Object> spec(
      Map<String, Map<String, Object>> rendered, String object) {
    return asMap(rendered.get(object).get("spec"), object + " spec");
  }

  private static Map<String, Object> container() {
    return container(manifests);
  }

  private static Map<String, Object> container(Map<String, Map<String, Object>> rendered) {
    Object containers =
        get(rendered.get("StatefulSet/blix-blixard"), "spec.template.spec.containers");
    return asList(containers, "containers").stream()
        .map(c -> asMap(c, "container"))
        .filter(c -> "blixard".equals(c.get("name")))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no container named blixard"));
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
