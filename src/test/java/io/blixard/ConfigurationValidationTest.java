package io.blixard;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.cluster.ClusterProperties;
import io.blixard.node.NodeProperties;
import io.blixard.transport.TransportMode;
import io.blixard.transport.TransportProperties;
import io.blixard.transport.grpc.GrpcTransportProperties;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.ConfigDataApplicationContextInitializer;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;
import org.springframework.util.unit.DataSize;

class ConfigurationValidationTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
          .withUserConfiguration(BlixardProperties.class);

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties({
    NodeProperties.class,
    ClusterProperties.class,
    TransportProperties.class,
    GrpcTransportProperties.class,
    io.blixard.security.SecurityProperties.class
  })
  static class BlixardProperties {}

  /**
   * Checks both what the exceptions say and what Spring Boot's failure analysis prints at start-up
   * (the analysis adds the full key for bean-validation errors, whose exception names the prefix
   * and the field apart).
   */
  @ParameterizedTest(name = "{0}={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "blixard.cluster.raft.port|70000|must be less than or equal to 65535",
        "blixard.cluster.raft.port|-1|must be greater than or equal to 0",
        "blixard.cluster.raft.election-timeout-max|600ms|expected: > election-timeout-min, PT0.6S",
        "blixard.cluster.raft.election-timeout-max|100ms|expected: > election-timeout-min, PT0.6S",
        "blixard.cluster.raft.election-timeout-min|0s|expected: > 0",
        "blixard.cluster.peer-timeout|0s|expected: > 0",
        "blixard.cluster.peer-timeout|-1s|expected: > 0",
        "blixard.transport.grpc.port|-1|must be greater than or equal to 0",
        "blixard.transport.grpc.port|65536|must be less than or equal to 65535",
        "blixard.transport.grpc.max-inbound-message-size|0B|expected: 1B to 2GB",
        "blixard.transport.grpc.max-inbound-message-size|3GB|expected: 1B to 2GB",
        "blixard.transport.grpc.bind-address|''|must not be blank",
        "blixard.node.advertise-host|''|must not be blank",
        "blixard.cluster.join|not-an-address|blixard.cluster.join: \"not-an-address\" (expected:"
            + " host:port or NODEID@host:port)",
        "blixard.cluster.join|node-1:x|blixard.cluster.join: \"node-1:x\" (expected: host:port or"
            + " NODEID@host:port; port \"x\" is not a number)",
      })
  void shouldFailStartUpNamingTheKeyAndWhatWasExpected(String key, String value, String expected) {
    runner
        .withPropertyValues(key + "=" + value)
        .run(
            context -> {
              assertThat(context).as("start-up with %s=%s", key, value).hasFailed();
              Throwable failure = context.getStartupFailure();
              assertThat(StartupFailures.chain(failure)).contains(expected);
              assertThat(StartupFailures.analysis(failure)).contains(key).contains(expected);
            });
  }

  @Test
  void shouldRefuseClientCertificatesRequiredWithoutTls() {
    runner
        .withPropertyValues(
            "blixard.transport.grpc.tls.enabled=false",
            "blixard.transport.grpc.tls.client-auth=require")
        .run(
            context ->
                assertThat(StartupFailures.chain(context.getStartupFailure()))
                    .contains(
                        "blixard.transport.grpc.tls.client-auth: require (expected: none or optional"
                            + " while blixard.transport.grpc.tls.enabled is false)"));
  }

  @Test
  void shouldRefuseAnUnknownSecurityModeNamingTheAllowedValues() {
    runner
        .withPropertyValues("blixard.security.mode=open")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(StartupFailures.analysis(context.getStartupFailure()))
                  .contains("blixard.security.mode")
                  .contains("SECURE")
                  .contains("INSECURE");
            });
  }

  @Test
  void shouldFailStartUpOnANestedMultiWordKeyNamingItInItsJavaForm() {
    // Bean validation of the nested Raft record reports the Java path without an origin, so the
    // operator reads snapshotThreshold rather than the snapshot-threshold they wrote.
    runner
        .withPropertyValues("blixard.cluster.raft.snapshot-threshold=0")
        .run(
            context -> {
              assertThat(context).hasFailed();
              assertThat(StartupFailures.analysis(context.getStartupFailure()))
                  .contains("Property: blixard.cluster.raft.snapshotThreshold")
                  .contains("must be greater than or equal to 1")
                  .doesNotContain("Origin:");
            });
  }

  @Test
  void shouldBindTheDocumentedDefaultsWithoutConfiguration() {
    runner.run(
        context -> {
          assertThat(context).hasNotFailed();
          NodeProperties node = context.getBean(NodeProperties.class);
          assertThat(node.dataDir()).isEqualTo(Path.of("data"));
          assertThat(node.advertiseHost()).isEqualTo("127.0.0.1");
          assertThat(node.minFreeDiskSpace()).isEqualTo(DataSize.ofMegabytes(64));

          ClusterProperties cluster = context.getBean(ClusterProperties.class);
          assertThat(cluster.peerTimeout()).isEqualTo(Duration.ofSeconds(5));
          assertThat(cluster.raft().port()).isEqualTo(7000);
          assertThat(cluster.raft().bindAddress()).isEqualTo("0.0.0.0");
          assertThat(cluster.raft().electionTimeoutMin()).isEqualTo(Duration.ofMillis(600));
          assertThat(cluster.raft().electionTimeoutMax()).isEqualTo(Duration.ofMillis(1200));
          assertThat(cluster.raft().requestTimeout()).isEqualTo(Duration.ofSeconds(5));
          assertThat(cluster.raft().snapshotThreshold()).isEqualTo(1024L);

          assertThat(context.getBean(TransportProperties.class).mode())
              .isEqualTo(TransportMode.DUAL);

          GrpcTransportProperties grpc = context.getBean(GrpcTransportProperties.class);
          assertThat(grpc.port()).isEqualTo(7001);
          assertThat(grpc.bindAddress()).isEqualTo("0.0.0.0");
          assertThat(grpc.maxInboundMessageSize()).isEqualTo(DataSize.ofMegabytes(4));
          assertThat(grpc.shutdownGracePeriod()).isEqualTo(Duration.ofSeconds(5));
          assertThat(grpc.reflection()).isTrue();
          assertThat(grpc.tls().enabled()).isTrue();
          assertThat(grpc.tls().clientAuth())
              .isEqualTo(GrpcTransportProperties.ClientAuth.OPTIONAL);
        });
  }

  @Test
  void shouldBindTheSameValuesFromTheShippedApplicationYml() {
    AtomicReference<Object[]> defaults = new AtomicReference<>();
    runner.run(context -> defaults.set(all(context)));

    runner
        .withInitializer(new ConfigDataApplicationContextInitializer())
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              Object[] shipped = all(context);
              // application.yml writes the data directory as ./data.
              assertThat(((NodeProperties) shipped[0]).dataDir().normalize())
                  .isEqualTo(((NodeProperties) defaults.get()[0]).dataDir());
              assertThat(shipped[0])
                  .usingRecursiveComparison()
                  .ignoringFields("dataDir")
                  .isEqualTo(defaults.get()[0]);
              for (int i = 1; i < shipped.length; i++) {
                assertThat(shipped[i]).isEqualTo(defaults.get()[i]);
              }
            });
  }

  @Test
  void shouldAcceptPortZeroForAFreePort() {
    runner
        .withPropertyValues("blixard.cluster.raft.port=0", "blixard.transport.grpc.port=0")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(ClusterProperties.class).raft().port()).isZero();
              assertThat(context.getBean(GrpcTransportProperties.class).port()).isZero();
            });
  }

  private static Object[] all(org.springframework.context.ApplicationContext context) {
    return new Object[] {
      context.getBean(NodeProperties.class),
      context.getBean(ClusterProperties.class),
      context.getBean(TransportProperties.class),
      context.getBean(GrpcTransportProperties.class)
    };
  }
}
