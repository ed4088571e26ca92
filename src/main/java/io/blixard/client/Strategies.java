package io.blixard.client;

import io.blixard.migration.MigrationStrategy;
import io.blixard.migration.RaftTransport;
import io.blixard.proto.transport.v1.Strategy;
import io.blixard.rpc.ServiceNames;
import io.blixard.transport.Transport;
import java.time.Duration;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/** A node's strategy as it travels in {@code GetTransportInfo}, back into the domain type. */
final class Strategies {

  private Strategies() {}

  /**
   * Services this client does not know (added by a newer node) and transports it does not know are
   * left out rather than failing the whole strategy.
   */
  static MigrationStrategy fromProto(Strategy proto) {
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
        servedOn);
  }
}
