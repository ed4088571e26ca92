package io.blixard.security.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.node.NodeId;
import io.blixard.security.ClusterRoles;
import io.blixard.security.StandInClusterRoles;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.actuate.health.HealthEndpointGroupsPostProcessor;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.autoconfigure.security.servlet.SecurityAutoConfiguration;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.security.web.SecurityFilterChain;

@ExtendWith(OutputCaptureExtension.class)
class ActuatorSecurityAutoConfigurationTest {

  @TempDir Path operatorDir;

  private WebApplicationContextRunner web() {
    return new WebApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                ActuatorSecurityAutoConfiguration.class, SecurityAutoConfiguration.class))
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withPropertyValues("blixard.security.operator-dir=" + operatorDir);
  }

  @Test
  void shouldAskForOperatorsWithConfiguredRolesByDefault() {
    web()
        .run(
            context -> {
              assertThat(context).hasSingleBean(SecurityFilterChain.class);
              assertThat(context)
                  .getBean(ClusterRoles.class)
                  .isInstanceOf(StandInClusterRoles.class);
              assertThat(context).doesNotHaveBean(HealthEndpointGroupsPostProcessor.class);
            });
  }

  @Test
  void shouldUseTheRegistrysRolesWhenThereAreSome() {
    ClusterRoles registry =
        new ClusterRoles() {
          @Override
          public boolean isMember(NodeId id) {
            return false;
          }

          @Override
          public boolean isOperator(NodeId id) {
            return false;
          }
        };
    web()
        .withBean(ClusterRoles.class, () -> registry)
        .run(context -> assertThat(context.getBean(ClusterRoles.class)).isSameAs(registry));
  }

  @Test
  void shouldOpenEverythingAndWarnWhenModeIsInsecure(CapturedOutput output) {
    web()
        .withPropertyValues("blixard.security.mode=insecure")
        .run(
            context -> {
              assertThat(context).hasSingleBean(SecurityFilterChain.class);
              assertThat(context).hasSingleBean(HealthEndpointGroupsPostProcessor.class);
              assertThat(context).doesNotHaveBean(ClusterRoles.class);
            });
    assertThat(output).contains("blixard.security.mode=insecure: the HTTP port (Actuator)");
  }

  @Test
  void shouldStayOutOfANodeWithoutAWebServer() {
    new ApplicationContextRunner()
        .withConfiguration(AutoConfigurations.of(ActuatorSecurityAutoConfiguration.class))
        .run(context -> assertThat(context).doesNotHaveBean(SecurityFilterChain.class));
  }
}
