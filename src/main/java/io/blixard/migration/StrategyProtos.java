package io.blixard.migration;

import com.google.protobuf.InvalidProtocolBufferException;
import io.blixard.proto.transport.v1.Adaptive;
import io.blixard.proto.transport.v1.Guard;
import io.blixard.proto.transport.v1.Strategy;
import io.blixard.proto.transport.v1.Transports;
import io.blixard.rpc.ServiceNames;
import io.blixard.transport.Transport;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The migration strategy as it travels ({@code blixard.transport.v1.Strategy}: in {@code
 * GetTransportInfo}, the strategy watch, and serialized in the cluster's registry) and back.
 */
public final class StrategyProtos {

  private StrategyProtos() {}

  /** The strategy's message, without version or source. */
  public static Strategy toProto(MigrationStrategy s) {
    Strategy.Builder proto =
        Strategy.newBuilder()
            .addAllPreferQuicFor(s.preferQuicFor().stream().sorted().toList())
            .setRaftTransport(s.raftTransport().name().toLowerCase(Locale.ROOT).replace('_', '-'))
            .setFallbackToGrpc(s.fallbackToGrpc())
            .setAdaptive(
                Adaptive.newBuilder()
                    .setEnabled(s.adaptive().enabled())
                    .setLatencyThresholdMicros(s.adaptive().latencyThreshold().toNanos() / 1000)
                    .setMinSamples(s.adaptive().minSamples()))
            .setGuard(toProto(s.guard()));
    s.quicShare().forEach(proto::putQuicShare);
    s.servedOn()
        .forEach(
            (service, transports) ->
                proto.putServedOn(
                    service,
                    Transports.newBuilder()
                        .addAllTransports(transports.stream().map(Transport::tag).sorted().toList())
                        .build()));
    return proto.build();
  }

  /** The guard's settings as they travel. */
  static Guard toProto(MigrationStrategy.Guard g) {
    return Guard.newBuilder()
        .setEnabled(g.enabled())
        .setWindowMillis(g.window().toMillis())
        .setIntervalMillis(g.interval().toMillis())
        .setMinSamples(g.minSamples())
        .setMaxErrorRatioIncrease(g.maxErrorRatioIncrease())
        .setMaxP99Ratio(g.maxP99Ratio())
        .setPromote(g.promote().enabled())
        .setPromoteStep(g.promote().step())
        .setPromoteHealthyWindows(g.promote().healthyWindows())
        .build();
  }

  /**
   * The guard's settings back; a strategy from before the guard has none and gets the defaults.
   *
   * @throws IllegalArgumentException when a setting is out of its range
   */
  static MigrationStrategy.Guard guardOf(Strategy proto) {
    if (!proto.hasGuard()) {
      return MigrationStrategy.Guard.defaults();
    }
    Guard g = proto.getGuard();
    return new MigrationStrategy.Guard(
        g.getEnabled(),
        Duration.ofMillis(g.getWindowMillis()),
        Duration.ofMillis(g.getIntervalMillis()),
        g.getMinSamples(),
        g.getMaxErrorRatioIncrease(),
        g.getMaxP99Ratio(),
        new MigrationStrategy.Promote(
            g.getPromote(), g.getPromoteStep(), g.getPromoteHealthyWindows()));
  }

  /** A strategy the registry stores, back into the domain type. */
  public static MigrationStrategy parse(byte[] serialized) {
    try {
      return fromProto(Strategy.parseFrom(serialized));
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(
          "the strategy does not parse: "
              + e.getMessage()
              + " (expected: a serialized blixard.transport.v1.Strategy)");
    }
  }

  /**
   * Services this client does not know (added by a newer node) and transports it does not know are
   * left out rather than failing the whole strategy.
   */
  public static MigrationStrategy fromProto(Strategy proto) {
    Set<String> prefer = new HashSet<>();
    proto.getPreferQuicForList().stream().filter(ServiceNames.KNOWN::contains).forEach(prefer::add);
    Map<String, Integer> shares = new HashMap<>();
    proto
        .getQuicShareMap()
        .forEach(
            (service, share) -> {
              if (ServiceNames.KNOWN.contains(service)) {
                shares.put(service, Math.min(100, share));
              }
            });
    Map<String, Set<Transport>> servedOn = new HashMap<>();
    proto
        .getServedOnMap()
        .forEach(
            (service, transports) -> {
              Set<Transport> known = EnumSet.noneOf(Transport.class);
              for (String t : transports.getTransportsList()) {
                for (Transport candidate : Transport.values()) {
                  if (candidate.tag().equals(t)) {
                    known.add(candidate);
                  }
                }
              }
              if (ServiceNames.KNOWN.contains(service) && !known.isEmpty()) {
                servedOn.put(service, known);
              }
            });
    RaftTransport raft;
    try {
      raft =
          RaftTransport.valueOf(
              proto.getRaftTransport().toUpperCase(Locale.ROOT).replace('-', '_'));
    } catch (IllegalArgumentException e) {
      raft = RaftTransport.ALWAYS_GRPC;
    }
    var adaptive = proto.getAdaptive();
    return new MigrationStrategy(
        prefer,
        raft,
        proto.getFallbackToGrpc(),
        shares,
        new MigrationStrategy.Adaptive(
            adaptive.getEnabled(),
            Duration.ofNanos(adaptive.getLatencyThresholdMicros() * 1000),
            Math.max(10, adaptive.getMinSamples())),
        servedOn,
        guardOf(proto));
  }
}
