package io.blixard.migration;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

/** The strategy's version and shares as gauges, following run-time changes. */
class MigrationStrategyMetricsTest {

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final MigrationStrategyHolder holder =
      new MigrationStrategyHolder(MigrationStrategy.defaults(), registry);

  private void bind(io.micrometer.core.instrument.MeterRegistry meters) {
    StaticListableBeanFactory beans = new StaticListableBeanFactory();
    beans.addBean("strategies", holder);
    new MigrationStrategyMetrics(beans.getBeanProvider(MigrationStrategyHolder.class))
        .bindTo(meters);
  }

  private double share(String service) {
    return registry
        .get(MigrationStrategyMetrics.QUIC_SHARE)
        .tag("service", service)
        .gauge()
        .value();
  }

  @Test
  void shouldReadTheVersionAndEachServicesShareAtEachScrape() {
    bind(registry);
    assertThat(registry.get(MigrationStrategyMetrics.VERSION).gauge().value()).isZero();
    assertThat(share("health")).isZero();

    // The cluster's version 2, then this node's override of it: the version stays the cluster's.
    holder.followCluster(
        2,
        MigrationStrategy.defaults().withQuicShare("health", 25),
        java.time.Instant.now(),
        "operator",
        "health 25 %");
    holder.update(s -> s.withPreferQuic("status", true), "test", "status over quic");

    assertThat(registry.get(MigrationStrategyMetrics.VERSION).gauge().value()).isEqualTo(2);
    assertThat(share("health")).isEqualTo(0.25);
    assertThat(share("status")).isEqualTo(1.0);
    assertThat(share("monitoring")).isZero();
  }

  @Test
  void shouldNameThemForPrometheus() {
    PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    bind(prometheus);
    assertThat(prometheus.scrape())
        .contains("blixard_transport_strategy_version 0.0")
        .contains("blixard_transport_strategy_quic_share_ratio{service=\"health\"} 0.0");
  }

  @Test
  void shouldBindNothingWithoutAStrategy() {
    new MigrationStrategyMetrics(
            new StaticListableBeanFactory().getBeanProvider(MigrationStrategyHolder.class))
        .bindTo(registry);
    assertThat(registry.find(MigrationStrategyMetrics.VERSION).gauge()).isNull();
  }
}
