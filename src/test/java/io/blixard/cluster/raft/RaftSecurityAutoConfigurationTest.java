package io.blixard.cluster.raft;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.cluster.ClusterView;
import io.blixard.cluster.FakeClusterView;
import io.blixard.node.DataDirectory;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.security.ClusterRoles;
import io.blixard.security.SecurityProperties;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

class RaftSecurityAutoConfigurationTest {

  @TempDir static Path dir;

  @Configuration(proxyBeanMethods = false)
  @EnableConfigurationProperties(SecurityProperties.class)
  static class NodeBeans {
    @Bean
    NodeIdentity identity() {
      return NodeIdentity.loadOrCreate(DataDirectory.open(dir));
    }

    @Bean
    ClusterView view(NodeIdentity identity) {
      return new FakeClusterView(identity.nodeId());
    }

    /** The registry's roles, as a node has them: nobody yet. */
    @Bean
    ClusterRoles roles() {
      return new ClusterRoles() {
        @Override
        public boolean isMember(NodeId id) {
          return false;
        }

        @Override
        public boolean isOperator(NodeId id) {
          return false;
        }
      };
    }

    @Bean
    MeterRegistry meters() {
      return new SimpleMeterRegistry();
    }
  }

  private final ApplicationContextRunner runner =
      new ApplicationContextRunner()
          .withConfiguration(AutoConfigurations.of(RaftSecurityAutoConfiguration.class))
          .withUserConfiguration(NodeBeans.class);

  @Test
  void shouldUseMutualTlsByDefault() {
    runner.run(context -> assertThat(context.getBean(RaftTls.class).enabled()).isTrue());
  }

  @Test
  void shouldStayPlaintextWhenModeIsInsecure() {
    runner
        .withPropertyValues("blixard.security.mode=insecure")
        .run(context -> assertThat(context.getBean(RaftTls.class).enabled()).isFalse());
  }
}
