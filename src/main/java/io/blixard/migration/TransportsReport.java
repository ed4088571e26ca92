package io.blixard.migration;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.blixard.transport.Transport;
import java.util.List;
import java.util.Locale;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What {@code /actuator/transports} answers, as JSON through Jackson: the mode, the strategy and
 * its version, and per service where it is served and its calls over each transport. The command
 * line reads the same records back.
 *
 * @param mode grpc, quic or dual
 * @param strategy the strategy in force
 * @param strategyVersion when and why it became current
 * @param services per service label (health, status, ... or a full name), its transports and calls
 * @param raftPeers per peer node id, the transport (grpc, quic) its Raft calls take now; empty
 *     without the Raft router, where all of them take the one raft-transport named at start
 */
public record TransportsReport(
    String mode,
    Strategy strategy,
    Version strategyVersion,
    SortedMap<String, Service> services,
    SortedMap<String, String> raftPeers) {

  /**
   * The migration strategy, with the names of {@code blixard.transport.strategy}.
   *
   * @param raftTransport always-grpc, always-quic or adaptive
   * @param servedOn per service narrowed to some transports: grpc, quic
   */
  public record Strategy(
      SortedSet<String> preferQuicFor,
      String raftTransport,
      boolean fallbackToGrpc,
      SortedMap<String, Integer> quicShare,
      Adaptive adaptive,
      SortedMap<String, List<String>> servedOn) {

    static Strategy of(MigrationStrategy s) {
      SortedMap<String, List<String>> served = new TreeMap<>();
      s.servedOn()
          .forEach(
              (service, transports) ->
                  served.put(service, transports.stream().map(Transport::tag).sorted().toList()));
      return new Strategy(
          new TreeSet<>(s.preferQuicFor()),
          s.raftTransport().name().toLowerCase(Locale.ROOT).replace('_', '-'),
          s.fallbackToGrpc(),
          new TreeMap<>(s.quicShare()),
          new Adaptive(
              s.adaptive().enabled(),
              s.adaptive().latencyThreshold().toString(),
              s.adaptive().minSamples()),
          served);
    }
  }

  /**
   * Latency-based selection.
   *
   * @param latencyThreshold ISO-8601 duration, e.g. PT0.002S
   */
  public record Adaptive(boolean enabled, String latencyThreshold, int minSamples) {}

  /**
   * A strategy's version.
   *
   * @param version the cluster's strategy version the node follows or overrides; 0 before the
   *     cluster has one
   * @param since ISO-8601 instant
   * @param changedBy who changed it: the operator's id, configuration, actuator, ...
   * @param change what changed, in words
   * @param source cluster, override (this node's own) or configuration
   */
  public record Version(
      long version, String since, String changedBy, String change, String source) {}

  /**
   * One service.
   *
   * @param servedOn the transports this node serves it on now
   * @param quicSharePercent its share of calls over QUIC, for the services the strategy names; null
   *     for the others
   * @param grpc its calls over gRPC
   * @param quic its calls over QUIC
   */
  public record Service(List<String> servedOn, Integer quicSharePercent, Calls grpc, Calls quic) {}

  /**
   * Calls of one service over one transport, as this node served them.
   *
   * @param p50Millis median latency of the last minutes, null without a call in that window
   * @param p99Millis 99th percentile of the last minutes, null without a call in that window
   */
  public record Calls(long calls, long errors, Double p50Millis, Double p99Millis) {}

  /**
   * A write: {@code service} with any of {@code quicShare}, {@code preferQuic} and {@code
   * servedOn}; {@code fallbackToGrpc} alone or with them. What is null is left as it is.
   *
   * @param quicShare 0 to 100
   * @param servedOn grpc, quic or grpc,quic
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Change(
      String service,
      Integer quicShare,
      Boolean preferQuic,
      String servedOn,
      Boolean fallbackToGrpc) {}

  /**
   * What a refused write answers, with HTTP 400.
   *
   * @param error what was wrong and what was expected
   */
  public record Refusal(String error) {}
}
