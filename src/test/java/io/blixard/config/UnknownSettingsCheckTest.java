package io.blixard.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.blixard.StartupFailures;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.env.OriginTrackedMapPropertySource;
import org.springframework.boot.env.YamlPropertySourceLoader;
import org.springframework.boot.origin.OriginTrackedValue;
import org.springframework.boot.origin.TextResourceOrigin;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.PropertySource;
import org.springframework.core.env.SimpleCommandLinePropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.core.io.ByteArrayResource;
import org.springframework.core.io.FileSystemResource;

class UnknownSettingsCheckTest {

  private static final KnownSettings KNOWN =
      KnownSettings.load(UnknownSettingsCheckTest.class.getClassLoader());

  @Test
  void shouldSuggestTheNearestSettingForATypoOnTheCommandLine() {
    UnknownSettingsException failure =
        checkFailing(commandLine("--blixard.cluster.peer-timout=1s"));

    assertThat(failure.problems())
        .containsExactly(
            "blixard.cluster.peer-timout is not a Blixard setting (did you mean"
                + " blixard.cluster.peer-timeout?), on the command line");
  }

  @Test
  void shouldNameTheFileAndLineOfATypoInAConfigurationFile() throws IOException {
    UnknownSettingsException failure =
        checkFailing(
            yaml(
                "application.yml",
                """
                blixard:
                  transport:
                    quic:
                      max-frame-sise: 1MB
                """));

    assertThat(failure.problems())
        .containsExactly(
            "blixard.transport.quic.max-frame-sise is not a Blixard setting (did you mean"
                + " blixard.transport.quic.max-frame-size?), in Byte array resource"
                + " [application.yml] - 4:23");
  }

  @Test
  void shouldReportEveryUnknownKeyOnALineOfItsOwn() {
    UnknownSettingsException failure =
        checkFailing(
            commandLine("--blixard.node.data-dri=/tmp/x", "--blixard.transport.grpc.prot=7001"));

    assertThat(failure.getMessage().lines())
        .containsExactly(
            "blixard.node.data-dri is not a Blixard setting (did you mean"
                + " blixard.node.data-dir?), on the command line",
            "blixard.transport.grpc.prot is not a Blixard setting (did you mean"
                + " blixard.transport.grpc.port?), on the command line");
  }

  @Test
  void shouldPointToTheReferenceWhenNoSettingIsNearTheKey() {
    assertThat(checkFailing(commandLine("--blixard.dashboard.url=http://grafana:3000")).problems())
        .containsExactly(
            "blixard.dashboard.url is not a Blixard setting (docs/configuration.md lists them),"
                + " on the command line");
  }

  @Test
  void shouldAcceptTheKeysOfMapSettingsAndTheIndexesOfListSettings() {
    assertAccepted(
        commandLine(
            "--blixard.transport.strategy.quic-share.health=10",
            "--blixard.transport.strategy.served-on.status=grpc,quic",
            "--blixard.transport.strategy.served-on.monitoring[0]=quic",
            "--blixard.cluster.join[0]=node-1:7001",
            "--blixard.transport.quic.alpn-protocols[1]=blixard/health/1"));
  }

  @Test
  void shouldAcceptTheFormsTheBinderAccepts() {
    assertAccepted(
        commandLine(
            "--blixard.cluster.peerTimeout=1s",
            "--blixard.cluster.raft.snapshot_threshold=10",
            "--BLIXARD.Cluster.Join-Retry.Timeout=1m"));
  }

  @Test
  void shouldAcceptAGroupWrittenAsAnEmptyValue() throws IOException {
    assertAccepted(yaml("application.yml", "blixard:\n  cluster:\n    raft: {}\n"));
  }

  @Test
  void shouldLeaveOtherPrefixesToTheirOwners() {
    assertAccepted(commandLine("--server.port=8081", "--blixardx.anything=1", "--spring.foo=1"));
  }

  @Test
  void shouldNotCheckEnvironmentVariablesNorSystemProperties() {
    // Kubernetes service links and the image's own variables relax into blixard.* keys.
    assertAccepted(
        new SystemEnvironmentPropertySource(
            StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME,
            Map.of("BLIXARD_SERVICE_HOST", "10.0.0.1", "BLIXARD_JAR", "/opt/blixard.jar")),
        new MapPropertySource(
            StandardEnvironment.SYSTEM_PROPERTIES_PROPERTY_SOURCE_NAME,
            Map.of("blixard.example", "1")));
  }

  @Test
  void shouldAcceptTheShippedApplicationYmlWithEveryProfile() throws IOException {
    List<PropertySource<?>> documents =
        new YamlPropertySourceLoader()
            .load("application.yml", new FileSystemResource("application.yml"));
    assertThat(documents).hasSizeGreaterThan(1);
    assertAccepted(documents.toArray(PropertySource[]::new));
  }

  @Test
  void shouldAcceptEveryKeyOfTheConfigurationMetadata() {
    Map<String, Object> all = new LinkedHashMap<>();
    ConfigurationMetadata.load().blixardProperties().keySet().forEach(key -> all.put(key, "x"));
    assertAccepted(fileSource("every key", all));
  }

  @Test
  void shouldBeReportedInOneLineByTheFailureAnalysis() {
    UnknownSettingsException failure =
        checkFailing(commandLine("--blixard.cluster.peer-timout=1s"));

    assertThat(StartupFailures.analysis(failure))
        .startsWith(
            "blixard.cluster.peer-timout is not a Blixard setting (did you mean"
                + " blixard.cluster.peer-timeout?), on the command line\n")
        .contains("docs/configuration.md");
  }

  @Test
  void shouldSuggestOnlyNearKeys() {
    assertThat(KNOWN.nearest("blixard.cluster.raft.prot")).contains("blixard.cluster.raft.port");
    assertThat(KNOWN.nearest("blixard.cluster.raft.election-timeout"))
        .contains("blixard.cluster.raft.election-timeout-max");
    assertThat(KNOWN.nearest("blixard.metrics.enabled")).isEmpty();
    assertThat(KnownSettings.distance("kitten", "sitting")).isEqualTo(3);
  }

  private static UnknownSettingsException checkFailing(PropertySource<?>... sources) {
    UnknownSettingsException failure =
        catchThrowableOfType(
            UnknownSettingsException.class,
            () -> UnknownSettingsCheck.check(environment(sources), KNOWN));
    assertThat(failure).as("an unknown key refused").isNotNull();
    return failure;
  }

  private static void assertAccepted(PropertySource<?>... sources) {
    assertThatCode(() -> UnknownSettingsCheck.check(environment(sources), KNOWN))
        .doesNotThrowAnyException();
  }

  private static StandardEnvironment environment(PropertySource<?>... sources) {
    StandardEnvironment environment = new StandardEnvironment();
    for (PropertySource<?> source : sources) {
      environment.getPropertySources().addFirst(source);
    }
    return environment;
  }

  private static PropertySource<?> commandLine(String... args) {
    return new SimpleCommandLinePropertySource(args);
  }

  private static PropertySource<?> yaml(String name, String text) throws IOException {
    return new YamlPropertySourceLoader()
        .load(name, new ByteArrayResource(text.getBytes(StandardCharsets.UTF_8), name))
        .get(0);
  }

  private static PropertySource<?> fileSource(String name, Map<String, Object> values) {
    Map<String, Object> tracked = new LinkedHashMap<>();
    values.forEach(
        (key, value) ->
            tracked.put(
                key,
                OriginTrackedValue.of(
                    value,
                    new TextResourceOrigin(
                        new ByteArrayResource(new byte[0], name),
                        new TextResourceOrigin.Location(0, 0)))));
    return new OriginTrackedMapPropertySource(name, tracked);
  }
}
