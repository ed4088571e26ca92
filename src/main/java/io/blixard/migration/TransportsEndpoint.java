package io.blixard.migration;

import io.blixard.rpc.RpcServerMetrics;
import io.blixard.rpc.ServiceCatalogue;
import io.blixard.rpc.ServiceNames;
import io.blixard.transport.Transport;
import io.blixard.transport.TransportMode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.ValueAtPercentile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.springframework.boot.actuate.endpoint.annotation.DeleteOperation;
import org.springframework.boot.actuate.endpoint.annotation.Endpoint;
import org.springframework.boot.actuate.endpoint.annotation.ReadOperation;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.lang.Nullable;

/**
 * {@code /actuator/transports}: the mode, the migration strategy, which transports serve which
 * service, and per service and transport the calls, errors and recent p50/p99 latency. A write
 * changes the strategy without a restart; a delete goes back to the configured one.
 */
@Endpoint(id = "transports")
public class TransportsEndpoint {

  /**
   * The fields a write takes and their JSON types, checked before Actuator reads them ({@link
   * StrictJsonFilter}): Actuator alone would take {@code "yes"} or {@code 1} for {@code true}.
   */
  static final JsonFields WRITE_FIELDS =
      new JsonFields(
          Map.of(
              "service",
              new JsonFields.Field(
                  JsonFields.Type.STRING, "a string, one of " + ServiceNames.KNOWN),
              "quicShare",
              new JsonFields.Field(JsonFields.Type.WHOLE_NUMBER, "a number, 0 to 100"),
              "preferQuic",
              new JsonFields.Field(JsonFields.Type.BOOLEAN, "a boolean, true or false"),
              "servedOn",
              new JsonFields.Field(JsonFields.Type.STRING, "a string, grpc, quic or grpc,quic"),
              "fallbackToGrpc",
              new JsonFields.Field(JsonFields.Type.BOOLEAN, "a boolean, true or false")));

  private final TransportMode mode;
  private final MigrationStrategyHolder strategies;
  private final ServiceCatalogue catalogue;
  private final MeterRegistry registry;
  private final Supplier<RaftPeerTransports> raftPeers;

  public TransportsEndpoint(
      TransportMode mode,
      MigrationStrategyHolder strategies,
      ServiceCatalogue catalogue,
      MeterRegistry registry) {
    this(mode, strategies, catalogue, registry, () -> null);
  }

  /**
   * @param raftPeers the Raft router's view of each peer's transport, looked up per read; null
   *     without the router
   */
  public TransportsEndpoint(
      TransportMode mode,
      MigrationStrategyHolder strategies,
      ServiceCatalogue catalogue,
      MeterRegistry registry,
      Supplier<RaftPeerTransports> raftPeers) {
    this.mode = mode;
    this.strategies = strategies;
    this.catalogue = catalogue;
    this.registry = registry;
    this.raftPeers = raftPeers;
  }

  @ReadOperation
  public TransportsReport transports() {
    MigrationStrategyHolder.Versioned versioned = strategies.versioned();
    MigrationStrategy strategy = versioned.strategy();
    SortedMap<String, TransportsReport.Service> services = new TreeMap<>();
    for (String label : serviceLabels()) {
      boolean inStrategy = ServiceNames.KNOWN.contains(label);
      Set<Transport> servedOn =
          inStrategy ? strategy.servedOn(label) : EnumSet.allOf(Transport.class);
      List<String> serving = new ArrayList<>();
      for (Transport t : servedOn) {
        if (mode.serves(t)) {
          serving.add(t.tag());
        }
      }
      services.put(
          label,
          new TransportsReport.Service(
              serving,
              inStrategy ? strategy.quicSharePercent(label) : null,
              stats(label, Transport.GRPC),
              stats(label, Transport.QUIC)));
    }
    return new TransportsReport(
        mode.name().toLowerCase(Locale.ROOT),
        TransportsReport.Strategy.of(strategy),
        new TransportsReport.Version(
            versioned.version(),
            versioned.since().toString(),
            versioned.changedBy(),
            versioned.change(),
            versioned.source().tag()),
        services,
        raftPeers());
  }

  private SortedMap<String, String> raftPeers() {
    RaftPeerTransports router = raftPeers.get();
    return router == null ? new TreeMap<>() : new TreeMap<>(router.transportsInUse());
  }

  /**
   * Changes the strategy. Give {@code service} with any of {@code quicShare} (0 to 100), {@code
   * preferQuic} or {@code servedOn} ("grpc", "quic" or "grpc,quic"); {@code fallbackToGrpc} alone
   * or with them. Each has its JSON type ({@link #WRITE_FIELDS}).
   */
  @WriteOperation
  public WebEndpointResponse<Object> update(
      @Nullable String service,
      @Nullable Integer quicShare,
      @Nullable Boolean preferQuic,
      @Nullable String servedOn,
      @Nullable Boolean fallbackToGrpc) {
    try {
      apply(service, quicShare, preferQuic, servedOn, fallbackToGrpc);
      return new WebEndpointResponse<>(transports());
    } catch (IllegalArgumentException e) {
      // A wrong value is the caller's mistake: say what was wrong and what was expected.
      return new WebEndpointResponse<>(
          new TransportsReport.Refusal(e.getMessage()), WebEndpointResponse.STATUS_BAD_REQUEST);
    }
  }

  private void apply(
      @Nullable String service,
      @Nullable Integer quicShare,
      @Nullable Boolean preferQuic,
      @Nullable String servedOn,
      @Nullable Boolean fallbackToGrpc) {
    StrategyEdit edit = StrategyEdit.of(service, quicShare, preferQuic, servedOn, fallbackToGrpc);
    strategies.update(edit::applyTo, "actuator", edit.description());
  }

  /** Drops this node's override: back to the cluster's strategy. */
  @DeleteOperation
  public TransportsReport reset() {
    strategies.reset("actuator");
    return transports();
  }

  private Set<String> serviceLabels() {
    Set<String> labels = new TreeSet<>();
    catalogue.serviceNames().forEach(name -> labels.add(ServiceNames.label(name)));
    return labels;
  }

  private TransportsReport.Calls stats(String label, Transport transport) {
    long calls = 0;
    long errors = 0;
    for (Timer timer :
        registry.find(RpcServerMetrics.METRIC).tag("transport", transport.tag()).timers()) {
      if (!label.equals(ServiceNames.label(timer.getId().getTag("service")))) {
        continue;
      }
      calls += timer.count();
      if (!"OK".equals(timer.getId().getTag("status"))) {
        errors += timer.count();
      }
    }
    Timer service =
        registry
            .find(RpcServerMetrics.SERVICE_METRIC)
            .tag("transport", transport.tag())
            .tag("service", label)
            .timer();
    // Percentiles cover the last minutes only; with no call in that window (max 0) there are none,
    // rather than a misleading 0.
    ValueAtPercentile[] percentiles =
        service == null || service.max(java.util.concurrent.TimeUnit.NANOSECONDS) == 0
            ? new ValueAtPercentile[0]
            : service.takeSnapshot().percentileValues();
    return new TransportsReport.Calls(
        calls, errors, percentile(percentiles, 0.5), percentile(percentiles, 0.99));
  }

  private static Double percentile(ValueAtPercentile[] values, double which) {
    return Arrays.stream(values)
        .filter(v -> v.percentile() == which)
        .findFirst()
        .map(v -> Math.round(v.value(TimeUnit.MICROSECONDS)) / 1000.0)
        .orElse(null);
  }
}
