package io.blixard.monitoring;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.config.MeterFilter;
import java.util.Set;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/**
 * Keeps the node's Prometheus exposition clean under {@code promtool check metrics}: every meter
 * gets a HELP line, and the three library meters whose names break Prometheus naming rules are left
 * out (their readings are in {@code process_cpu_usage} and {@code GetSystemInfo}).
 */
@Configuration(proxyBeanMethods = false)
public class MeterConventions {

  /** Names ending in abbreviated units (ms, ns) or in a reserved suffix (_count). */
  static final Set<String> NON_CONFORMING =
      Set.of("jvm.compilation.time", "process.cpu.time", "system.cpu.count");

  @Bean
  MeterFilter denyNonConformingMeterNames() {
    return MeterFilter.deny(id -> NON_CONFORMING.contains(id.getName()));
  }

  @Bean
  MeterFilter describeUndescribedMeters() {
    return new MeterFilter() {
      @Override
      public Meter.Id map(Meter.Id id) {
        if (id.getDescription() != null && !id.getDescription().isBlank()) {
          return id;
        }
        return new Meter.Id(
            id.getName(),
            Tags.of(id.getTagsAsIterable()),
            id.getBaseUnit(),
            describe(id.getName()),
            id.getType());
      }
    };
  }

  /** "tomcat.sessions.active.current" becomes "Tomcat sessions active current". */
  static String describe(String name) {
    String words = name.replace('.', ' ').replace('_', ' ');
    return Character.toUpperCase(words.charAt(0)) + words.substring(1);
  }
}
