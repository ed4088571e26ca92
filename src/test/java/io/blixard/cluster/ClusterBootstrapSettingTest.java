package io.blixard.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.StartupFailures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.validation.ValidationAutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Configuration;

/** {@code blixard.cluster.bootstrap}: which values start, and what the wrong pairs say. */
class ClusterBootstrapSettingTest {

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(ValidationAutoConfiguration.class))
          .withUserConfiguration(Properties.class);

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(ClusterProperties.class)
  static class Properties {}

  @ParameterizedTest(name = "bootstrap={0} join={1}")
  @CsvSource(
      delimiter = '|',
      value = {
        "''|''|AUTO",
        "auto|node-1:7001|AUTO",
        "new|''|NEW",
        "never|node-1:7001,node-2:7001|NEVER"
      })
  void shouldStartWithAConsistentPair(String bootstrap, String join, String expected) {
    runner
        .withPropertyValues(
            "blixard.cluster.bootstrap=" + bootstrap, "blixard.cluster.join=" + join)
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              assertThat(context.getBean(ClusterProperties.class).bootstrap())
                  .isEqualTo(ClusterProperties.Bootstrap.valueOf(expected));
            });
  }

  @Test
  void shouldRefuseNeverWithNoMemberToJoin() {
    runner
        .withPropertyValues("blixard.cluster.bootstrap=never")
        .run(
            context ->
                assertThat(StartupFailures.chain(context.getStartupFailure()))
                    .contains(
                        "blixard.cluster.bootstrap=never without blixard.cluster.join (expected:"
                            + " the members to join"));
  }

  @Test
  void shouldRefuseNewWithMembersToJoin() {
    runner
        .withPropertyValues("blixard.cluster.bootstrap=new", "blixard.cluster.join=node-1:7001")
        .run(
            context ->
                assertThat(StartupFailures.chain(context.getStartupFailure()))
                    .contains(
                        "blixard.cluster.bootstrap=new with blixard.cluster.join [node-1:7001]"));
  }

  @Test
  void shouldRefuseAnUnknownValueNamingTheKey() {
    runner
        .withPropertyValues("blixard.cluster.bootstrap=sometimes")
        .run(
            context ->
                assertThat(StartupFailures.analysis(context.getStartupFailure()))
                    .contains("blixard.cluster.bootstrap")
                    .contains("sometimes"));
  }
}
