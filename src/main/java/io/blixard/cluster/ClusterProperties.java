package io.blixard.cluster;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.NestedConfigurationProperty;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Settings of the node's membership in the Raft cluster.
 *
 * @param raft The embedded Raft server.
 * @param peerTimeout How long a member may stay silent before this node counts it as unreachable.
 */
@Validated
@ConfigurationProperties("blixard.cluster")
public record ClusterProperties(
    @DefaultValue @Valid @NestedConfigurationProperty Raft raft,
    @DefaultValue("5s") @NotNull Duration peerTimeout) {

  public ClusterProperties {
    if (peerTimeout != null && (peerTimeout.isNegative() || peerTimeout.isZero())) {
      throw new IllegalArgumentException(
          "blixard.cluster.peer-timeout: " + peerTimeout + " (expected: > 0)");
    }
  }

  /**
   * The embedded Apache Ratis server.
   *
   * @param port TCP port of the Raft server (Ratis over gRPC). 0 picks a free port at start-up.
   * @param bindAddress Address the Raft server listens on.
   * @param electionTimeoutMin Shortest time a follower waits for the leader before it starts an
   *     election.
   * @param electionTimeoutMax Longest time a follower waits for the leader before it starts an
   *     election.
   * @param requestTimeout How long a write to the registry may take before it fails.
   * @param snapshotThreshold Number of log entries after which the registry is snapshotted and the
   *     log before it may be purged.
   */
  public record Raft(
      @Min(0) @Max(65535) Integer port,
      @NotBlank String bindAddress,
      @NotNull Duration electionTimeoutMin,
      @NotNull Duration electionTimeoutMax,
      @NotNull Duration requestTimeout,
      @NotNull @Min(1) Long snapshotThreshold) {

    public Raft {
      port = port == null ? 7000 : port;
      bindAddress = bindAddress == null ? "0.0.0.0" : bindAddress;
      electionTimeoutMin = electionTimeoutMin == null ? Duration.ofMillis(600) : electionTimeoutMin;
      electionTimeoutMax =
          electionTimeoutMax == null ? Duration.ofMillis(1200) : electionTimeoutMax;
      requestTimeout = requestTimeout == null ? Duration.ofSeconds(5) : requestTimeout;
      snapshotThreshold = snapshotThreshold == null ? 1024L : snapshotThreshold;
      if (electionTimeoutMin != null && electionTimeoutMin.isNegative()
          || electionTimeoutMin.isZero()) {
        throw new IllegalArgumentException(
            "blixard.cluster.raft.election-timeout-min: "
                + electionTimeoutMin
                + " (expected: > 0)");
      }
      if (electionTimeoutMin != null
          && electionTimeoutMax != null
          && electionTimeoutMax.compareTo(electionTimeoutMin) <= 0) {
        throw new IllegalArgumentException(
            "blixard.cluster.raft.election-timeout-max: "
                + electionTimeoutMax
                + " (expected: > election-timeout-min, "
                + electionTimeoutMin
                + ")");
      }
    }
  }
}
