package io.blixard.migration;

import io.blixard.rpc.ServiceNames;
import io.blixard.transport.Transport;
import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Which transport each service prefers while a cluster moves from gRPC to QUIC, and where each is
 * served ({@code blixard.transport.strategy}). Immutable; changes at run time make a new one.
 *
 * @param preferQuicFor Services whose calls clients send over QUIC (health, status, monitoring, vm,
 *     raft).
 * @param raftTransport Transport of Raft traffic between nodes: always-grpc, always-quic or
 *     adaptive.
 * @param fallbackToGrpc Whether a call whose QUIC attempt fails is sent over gRPC instead, when
 *     sending it again is safe: the request never reached the service (no connection, refused,
 *     circuit open), or the method is declared free of side effects or idempotent.
 * @param quicShare Per service, the percentage (0 to 100) of calls sent over QUIC, for canary-style
 *     shifting; overrides prefer-quic-for for that service.
 * @param adaptive Latency-based choice between the transports.
 * @param servedOn Per service, the transports it is served on in dual mode (default: both). A call
 *     over another transport gets UNAVAILABLE naming where the service is served.
 */
@Validated
@ConfigurationProperties("blixard.transport.strategy")
public record MigrationStrategy(
    @NotNull Set<String> preferQuicFor,
    @DefaultValue("always-grpc") @NotNull RaftTransport raftTransport,
    @DefaultValue("true") boolean fallbackToGrpc,
    @NotNull Map<String, Integer> quicShare,
    @DefaultValue @Valid @NotNull Adaptive adaptive,
    @NotNull Map<String, Set<Transport>> servedOn) {

  public MigrationStrategy {
    preferQuicFor = preferQuicFor == null ? Set.of() : Set.copyOf(new TreeSet<>(preferQuicFor));
    quicShare = quicShare == null ? Map.of() : Map.copyOf(quicShare);
    servedOn = servedOn == null ? Map.of() : Map.copyOf(servedOn);
    preferQuicFor.forEach(s -> ServiceNames.requireKnown(s, "prefer-quic-for"));
    quicShare.forEach(
        (service, percent) -> {
          ServiceNames.requireKnown(service, "quic-share");
          if (percent == null || percent < 0 || percent > 100) {
            throw new IllegalArgumentException(
                "quic-share." + service + ": " + percent + " (expected: 0 to 100)");
          }
        });
    servedOn.forEach(
        (service, transports) -> {
          ServiceNames.requireKnown(service, "served-on");
          if (transports == null || transports.isEmpty()) {
            throw new IllegalArgumentException(
                "served-on." + service + ": empty (expected: grpc, quic or both)");
          }
        });
  }

  /**
   * Latency-based selection: once both transports have at least {@code minSamples} calls for a
   * service, a call goes over the other transport when the preferred one is slower by more than
   * {@code latencyThreshold} on the moving average.
   *
   * @param enabled Whether clients choose by measured latency.
   * @param latencyThreshold How much slower the preferred transport must be before calls move.
   * @param minSamples Calls per transport needed before the average is trusted (at least 10).
   */
  public record Adaptive(
      @DefaultValue("false") boolean enabled,
      @DefaultValue("2ms") @NotNull Duration latencyThreshold,
      @DefaultValue("20") int minSamples) {

    public Adaptive {
      if (latencyThreshold != null && latencyThreshold.isNegative()) {
        throw new IllegalArgumentException(
            "adaptive.latency-threshold: " + latencyThreshold + " (expected: >= 0)");
      }
      if (minSamples < 10) {
        throw new IllegalArgumentException(
            "adaptive.min-samples: " + minSamples + " (expected: >= 10)");
      }
    }
  }

  /** The strategy of a node with no strategy configured: everything over gRPC, with fallback. */
  public static MigrationStrategy defaults() {
    return new MigrationStrategy(
        Set.of(),
        RaftTransport.ALWAYS_GRPC,
        true,
        Map.of(),
        new Adaptive(false, Duration.ofMillis(2), 20),
        Map.of());
  }

  /** The percentage of this service's calls that clients send over QUIC. */
  public int quicSharePercent(String service) {
    Integer share = quicShare.get(service);
    if (share != null) {
      return share;
    }
    return preferQuicFor.contains(service) ? 100 : 0;
  }

  /** The transports this service is served on (both unless narrowed). */
  public Set<Transport> servedOn(String service) {
    Set<Transport> narrowed = servedOn.get(service);
    return narrowed == null ? EnumSet.allOf(Transport.class) : EnumSet.copyOf(narrowed);
  }

  /** A copy with this service's QUIC share set (0 to 100). */
  public MigrationStrategy withQuicShare(String service, int percent) {
    Map<String, Integer> shares = new LinkedHashMap<>(quicShare);
    shares.put(ServiceNames.requireKnown(service, "service"), percent);
    return new MigrationStrategy(
        preferQuicFor, raftTransport, fallbackToGrpc, shares, adaptive, servedOn);
  }

  /** A copy in which the service prefers QUIC (all its calls) or not, with any share cleared. */
  public MigrationStrategy withPreferQuic(String service, boolean prefer) {
    ServiceNames.requireKnown(service, "service");
    Set<String> preferred = new TreeSet<>(preferQuicFor);
    if (prefer) {
      preferred.add(service);
    } else {
      preferred.remove(service);
    }
    Map<String, Integer> shares = new TreeMap<>(quicShare);
    shares.remove(service);
    return new MigrationStrategy(
        preferred, raftTransport, fallbackToGrpc, shares, adaptive, servedOn);
  }

  public MigrationStrategy withFallbackToGrpc(boolean fallback) {
    return new MigrationStrategy(
        preferQuicFor, raftTransport, fallback, quicShare, adaptive, servedOn);
  }

  /** A copy serving the service on these transports only. */
  public MigrationStrategy withServedOn(String service, Set<Transport> transports) {
    Map<String, Set<Transport>> narrowed = new TreeMap<>(servedOn);
    narrowed.put(ServiceNames.requireKnown(service, "service"), EnumSet.copyOf(transports));
    return new MigrationStrategy(
        preferQuicFor, raftTransport, fallbackToGrpc, quicShare, adaptive, narrowed);
  }

  public MigrationStrategy withAdaptive(Adaptive newAdaptive) {
    return new MigrationStrategy(
        preferQuicFor, raftTransport, fallbackToGrpc, quicShare, newAdaptive, servedOn);
  }
}
