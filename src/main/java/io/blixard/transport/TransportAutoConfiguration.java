package io.blixard.transport;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.actuate.health.HealthContributor;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.annotation.Bean;

/**
 * What every transport shares: the mode that switches the listeners, and the transports health
 * indicator that reports each listener that is on.
 */
@AutoConfiguration
@EnableConfigurationProperties(TransportProperties.class)
public class TransportAutoConfiguration {

  @Bean
  HealthContributor transportsHealthContributor(
      TransportProperties properties, ObjectProvider<TransportListener> listeners) {
    return new TransportsHealthIndicator(properties.mode(), listeners.orderedStream().toList());
  }
}
