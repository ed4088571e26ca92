package io.blixard.transport.quic.raft;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.TimeUnit;

/**
 * The Raft calls this node sends on one transport, by Ratis method: {@code blixard.raft.rpc}
 * (latency and count, with the outcome) and {@code blixard.raft.rpc.bytes} (the Ratis message sizes
 * each way), both tagged with the transport ({@code quic}, or {@code grpc} for the router's gRPC
 * path).
 */
final class RaftRpcMetrics {

  static final String CALLS = "blixard.raft.rpc";
  static final String BYTES = "blixard.raft.rpc.bytes";
  static final String SERVED = "blixard.raft.rpc.served";
  static final String IN_FLIGHT = "blixard.raft.rpc.in.flight";

  private final MeterRegistry registry;
  private final String transport;

  RaftRpcMetrics(MeterRegistry registry, String transport) {
    this.registry = registry;
    this.transport = transport;
  }

  /** One call of {@code method} that took {@code nanos} and ended {@code ok} or not. */
  void call(String method, long nanos, boolean ok) {
    Timer.builder(CALLS)
        .description("Raft calls this node sent to its peers, by transport, method and outcome")
        .tags("transport", transport, "method", method, "outcome", ok ? "ok" : "error")
        .publishPercentileHistogram()
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /** The size of one Ratis message of {@code method}, {@code sent} or received. */
  void bytes(String method, boolean sent, int bytes) {
    DistributionSummary.builder(BYTES)
        .description("Sizes of the Raft messages this node sent and received as a caller")
        .baseUnit("bytes")
        .tags("transport", transport, "method", method, "direction", sent ? "sent" : "received")
        .register(registry)
        .record(bytes);
  }

  /**
   * One Raft request this node's Raft server was handed over this transport: a call, or one message
   * of the leader's appendEntries stream (counted as {@code AppendEntries}).
   */
  void served(String method) {
    Counter.builder(SERVED)
        .description("Raft requests this node received from its peers, by transport and method")
        .tags("transport", transport, "method", method)
        .register(registry)
        .increment();
  }

  /**
   * How many appendEntries requests of the leader's stream to one follower were unanswered when one
   * more was sent, that one included: the depth of the appender's pipeline.
   */
  void inFlight(int requests) {
    DistributionSummary.builder(IN_FLIGHT)
        .description("appendEntries requests in flight on a stream when one more is sent")
        .tags("transport", transport)
        .register(registry)
        .record(requests);
  }
}
