package io.blixard.migration;

import io.blixard.rpc.ServiceNames;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.util.Objects;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Component;

/**
 * The migration strategy this node follows, as gauges read at each scrape from {@link
 * MigrationStrategyHolder}: its version ({@value #VERSION}), so a dashboard shows when each node
 * took a change, and per service the share of calls clients send over QUIC ({@value #QUIC_SHARE}, 0
 * to 1).
 */
@Component
public class MigrationStrategyMetrics implements MeterBinder {

  static final String VERSION = "blixard.transport.strategy.version";
  static final String QUIC_SHARE = "blixard.transport.strategy.quic.share";

  private final ObjectProvider<MigrationStrategyHolder> strategies;

  public MigrationStrategyMetrics(ObjectProvider<MigrationStrategyHolder> strategies) {
    this.strategies = Objects.requireNonNull(strategies, "strategies");
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    MigrationStrategyHolder holder = strategies.getIfAvailable();
    if (holder == null) {
      return;
    }
    Gauge.builder(VERSION, holder, h -> h.versioned().version())
        .description("Version of the migration strategy this node follows")
        .register(registry);
    for (String service : ServiceNames.KNOWN) {
      Gauge.builder(QUIC_SHARE, holder, h -> h.strategy().quicSharePercent(service) / 100.0)
          .description("Share of the service's calls that clients send over QUIC, 0 to 1")
          .baseUnit("ratio")
          .tag("service", service)
          .register(registry);
    }
  }
}
