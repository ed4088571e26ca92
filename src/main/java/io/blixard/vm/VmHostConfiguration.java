package io.blixard.vm;

import io.blixard.node.DataDirectory;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * The VM host's beans: its preconditions and the {@code vms} health indicator. No VM is started
 * here; the VM service and reconciler launch them.
 */
@Configuration(proxyBeanMethods = false)
public class VmHostConfiguration {

  @Bean
  VmHostCheck vmHostCheck(VmProperties properties, DataDirectory dataDirectory) {
    return new VmHostCheck(properties, dataDirectory.root());
  }

  @Bean
  HealthContributor vmsHealthContributor(VmHostCheck check, VmProperties properties) {
    return new VmsHealthIndicator(check, properties.accelerator());
  }
}
