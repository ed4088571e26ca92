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
 * @param guard The canary guard: how the leader judges QUIC against gRPC while a service has a QUIC
 *     share between 0 and 100 %, and sets the share back when QUIC is worse.
 */
@Validated
@ConfigurationProperties("blixard.transport.strategy")
public record MigrationStrategy(
    @NotNull Set<String> preferQuicFor,
    @DefaultValue("always-grpc") @NotNull RaftTransport raftTransport,
    @DefaultValue("true") boolean fallbackToGrpc,
    @NotNull Map<String, Integer> quicShare,
    @DefaultValue @Valid @NotNull Adaptive adaptive,
    @NotNull Map<String, Set<Transport>> servedOn,
    @DefaultValue @Valid @NotNull Guard guard) {

  public MigrationStrategy {
    preferQuicFor = preferQuicFor == null ? Set.of() : Set.copyOf(new TreeSet<>(preferQuicFor));
    quicShare = quicShare == null ? Map.of() : Map.copyOf(quicShare);
    servedOn = servedOn == null ? Map.of() : Map.copyOf(servedOn);
    guard = guard == null ? Guard.defaults() : guard;
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
        Map.of(),
        Guard.defaults());
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
        preferQuicFor, raftTransport, fallbackToGrpc, shares, adaptive, servedOn, guard);
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
        preferred, raftTransport, fallbackToGrpc, shares, adaptive, servedOn, guard);
  }

  /** A copy whose Raft traffic goes over {@code transport}. */
  public MigrationStrategy withRaftTransport(RaftTransport transport) {
    return new MigrationStrategy(
        preferQuicFor, transport, fallbackToGrpc, quicShare, adaptive, servedOn, guard);
  }

  public MigrationStrategy withFallbackToGrpc(boolean fallback) {
    return new MigrationStrategy(
        preferQuicFor, raftTransport, fallback, quicShare, adaptive, servedOn, guard);
  }

  /** A copy serving the service on these transports only. */
  public MigrationStrategy withServedOn(String service, Set<Transport> transports) {
    Map<String, Set<Transport>> narrowed = new TreeMap<>(servedOn);
    narrowed.put(ServiceNames.requireKnown(service, "service"), EnumSet.copyOf(transports));
    return new MigrationStrategy(
        preferQuicFor, raftTransport, fallbackToGrpc, quicShare, adaptive, narrowed, guard);
  }

  public MigrationStrategy withAdaptive(Adaptive newAdaptive) {
    return new MigrationStrategy(
        preferQuicFor, raftTransport, fallbackToGrpc, quicShare, newAdaptive, servedOn, guard);
  }

  public MigrationStrategy withGuard(Guard newGuard) {
    return new MigrationStrategy(
        preferQuicFor, raftTransport, fallbackToGrpc, quicShare, adaptive, servedOn, newGuard);
  }

  /**
   * The canary guard: while a service has a QUIC share between 0 and 100 %, the leader compares the
   * calls of that service over QUIC with those over gRPC, from every member's figures over the last
   * {@code window}, and sets the share back to its last good value when QUIC is worse by more than
   * the thresholds. It never changes the Raft transport.
   *
   * @param enabled Whether the leader judges canaried services and sets their share back.
   * @param window How far back the figures of each judgement reach (at least 1 s).
   * @param interval How often the leader collects the members' figures and judges (at least 100 ms,
   *     at most the window).
   * @param minSamples Calls per transport within the window before the guard judges (at least 10).
   * @param maxErrorRatioIncrease How much higher QUIC's error ratio may be than gRPC's, as a
   *     difference of ratios (0.05: five more failed calls in a hundred).
   * @param maxP99Ratio How many times gRPC's p99 latency QUIC's may be (at least 1).
   * @param promote Raising the share in steps after healthy windows.
   */
  public record Guard(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("30s") @NotNull Duration window,
      @DefaultValue("5s") @NotNull Duration interval,
      @DefaultValue("50") int minSamples,
      @DefaultValue("0.05") double maxErrorRatioIncrease,
      @DefaultValue("2") double maxP99Ratio,
      @DefaultValue @Valid @NotNull Promote promote) {

    public Guard {
      window = window == null ? Duration.ofSeconds(30) : window;
      interval = interval == null ? Duration.ofSeconds(5) : interval;
      promote = promote == null ? Promote.defaults() : promote;
      if (window.compareTo(Duration.ofSeconds(1)) < 0) {
        throw new IllegalArgumentException("guard.window: " + window + " (expected: >= 1s)");
      }
      if (interval.compareTo(Duration.ofMillis(100)) < 0 || interval.compareTo(window) > 0) {
        throw new IllegalArgumentException(
            "guard.interval: " + interval + " (expected: 100ms to the window, " + window + ")");
      }
      if (minSamples < 10) {
        throw new IllegalArgumentException(
            "guard.min-samples: " + minSamples + " (expected: >= 10)");
      }
      if (!(maxErrorRatioIncrease >= 0 && maxErrorRatioIncrease <= 1)) {
        throw new IllegalArgumentException(
            "guard.max-error-ratio-increase: " + maxErrorRatioIncrease + " (expected: 0 to 1)");
      }
      if (!(maxP99Ratio >= 1) || Double.isInfinite(maxP99Ratio)) {
        throw new IllegalArgumentException(
            "guard.max-p99-ratio: " + maxP99Ratio + " (expected: a finite number >= 1)");
      }
    }

    /** On, 30 s window judged every 5 s, 50 calls, 5 % more errors, twice the p99; no promotion. */
    public static Guard defaults() {
      return new Guard(
          true, Duration.ofSeconds(30), Duration.ofSeconds(5), 50, 0.05, 2.0, Promote.defaults());
    }

    public Guard withEnabled(boolean on) {
      return new Guard(
          on, window, interval, minSamples, maxErrorRatioIncrease, maxP99Ratio, promote);
    }

    public Guard withPromote(Promote newPromote) {
      return new Guard(
          enabled, window, interval, minSamples, maxErrorRatioIncrease, maxP99Ratio, newPromote);
    }
  }

  /**
   * Automatic promotion: after {@code healthyWindows} windows in a row in which the guard judged
   * QUIC no worse than gRPC, the leader raises the share by {@code step} (at most to 100).
   *
   * @param enabled Whether the guard raises a canaried service's share after healthy windows.
   * @param step Percentage points added at each promotion (1 to 100).
   * @param healthyWindows Healthy windows in a row before each promotion (at least 1).
   */
  public record Promote(
      @DefaultValue("false") boolean enabled,
      @DefaultValue("25") int step,
      @DefaultValue("3") int healthyWindows) {

    public Promote {
      if (step < 1 || step > 100) {
        throw new IllegalArgumentException("guard.promote.step: " + step + " (expected: 1 to 100)");
      }
      if (healthyWindows < 1) {
        throw new IllegalArgumentException(
            "guard.promote.healthy-windows: " + healthyWindows + " (expected: >= 1)");
      }
    }

    /** Off; 25 points after 3 healthy windows when turned on. */
    public static Promote defaults() {
      return new Promote(false, 25, 3);
    }
  }
}
