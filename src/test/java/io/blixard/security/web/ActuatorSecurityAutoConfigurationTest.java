package io.blixard.security.web;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.node.NodeId;
import io.blixard.security.ClusterRoles;
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

  /** The registry's roles, as a node has them: nobody yet. */
  private static final ClusterRoles NOBODY =
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

  @TempDir Path operatorDir;

  private WebApplicationContextRunner web() {
    return new WebApplicationContextRunner()
        .withConfiguration(
            AutoConfigurations.of(
                ActuatorSecurityAutoConfiguration.class, SecurityAutoConfiguration.class))
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withBean(ClusterRoles.class, () -> NOBODY)
        .withPropertyValues("blixard.security.operator-dir=" + operatorDir);
  }

  @Test
  void shouldAskForOperatorsByDefault() {
    web()
        .run(
            context -> {
              assertThat(context).hasSingleBean(SecurityFilterChain.class);
              assertThat(context).doesNotHaveBean(HealthEndpointGroupsPostProcessor.class);
            });
  }

  @Test
  void shouldOpenEverythingAndWarnWhenModeIsInsecure(CapturedOutput output) {
    web()
        .withPropertyValues("blixard.security.mode=insecure")
        .run(
            context -> {
              assertThat(context).hasSingleBean(SecurityFilterChain.class);
              assertThat(context).hasSingleBean(HealthEndpointGroupsPostProcessor.class);
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
