package io.blixard.cli;

import io.blixard.client.BlixardClient;
import io.blixard.client.TransportPolicy;
import io.blixard.node.NodeAddress;
import io.blixard.node.NodeIdentity;
import io.blixard.security.OperatorIdentity;
import io.blixard.transport.grpc.GrpcChannelFactory;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Option;

/**
 * How a command reaches a node: its address, whether its gRPC port speaks TLS, the call deadline,
 * the output format, whether its calls are traced.
 */
final class NodeOptions {

  /** The node a command asks unless --node names another: the local node's gRPC port. */
  static final String DEFAULT_NODE = "127.0.0.1:7001";

  @Option(
      names = "--node",
      defaultValue = DEFAULT_NODE,
      description =
          "The node's gRPC address, host:port, or NODEID@host:quicPort to speak QUIC only"
              + " (default: ${DEFAULT-VALUE}).")
  String node;

  @Option(
      names = "--timeout",
      defaultValue = "5s",
      converter = DurationConverter.class,
      description = "Deadline of each call, e.g. 500ms, 5s (default: ${DEFAULT-VALUE}).")
  Duration timeout;

  @Option(
      names = "--json",
      description = "Print the answer as one JSON document with camelCase names, for scripts.")
  boolean json;

  @Option(
      names = "--transport",
      defaultValue = "auto",
      description =
          "auto: the transport the node's migration strategy names, falling back to gRPC when QUIC"
              + " fails; grpc or quic: that transport only (default: ${DEFAULT-VALUE}).")
  TransportPolicy transport;

  @Option(
      names = "--tls",
      defaultValue = "auto",
      description =
          "Whether the node's gRPC port speaks TLS: auto (find out with one TLS handshake), on or"
              + " off (default: ${DEFAULT-VALUE}). Over TLS the node is trusted by its node id: the"
              + " one --node names, else the one the first handshake meets.")
  GrpcChannelFactory.Tls tls;

  @Option(
      names = "--trace",
      description =
          "Run the command in a trace of its own and print its id on stderr: the node records the"
              + " command's calls under that id and exports them where its traces go.")
  boolean trace;

  /** Where the command's client observes its calls: a tracer's while --trace runs the command. */
  private ObservationRegistry observations = ObservationRegistry.NOOP;

  /**
   * Runs {@code body}, with --trace in a span of its own named {@code command}, saying on {@code
   * err} which trace id its calls carry.
   */
  <T> T traced(String command, PrintWriter err, Callable<T> body) throws Exception {
    if (!trace) {
      return body.call();
    }
    try (CommandTracing tracing = CommandTracing.start()) {
      observations = tracing.observations();
      return tracing.inSpan(
          command,
          traceId -> {
            err.println("blixard: trace " + traceId);
            err.flush();
          },
          body);
    } finally {
      observations = ObservationRegistry.NOOP;
    }
  }

  /** --node, parsed. */
  NodeAddress address() {
    return NodeAddress.parse("--node", node);
  }

  /** The identity a command presents instead of the operator's, or null. */
  private NodeIdentity presented;

  /**
   * The identity this command presents: the operator key pair in the user's configuration
   * directory, created on first use, unless the command presents another ({@link #present}).
   */
  NodeIdentity operatorIdentity() {
    return presented != null
        ? presented
        : OperatorIdentity.loadOrCreate(OperatorIdentity.defaultDirectory());
  }

  /** Makes the command present {@code identity}, e.g. a node's own, before it connects. */
  void present(NodeIdentity identity) {
    this.presented = identity;
  }

  /**
   * How this command builds gRPC channels to the node: as --tls says, within --timeout, with the
   * operator's certificate as client certificate.
   */
  GrpcChannelFactory grpcChannels() {
    return GrpcChannelFactory.of(tls, operatorIdentity(), timeout);
  }

  /**
   * A client of the node: discovery over gRPC, then each call over the transport chosen. --node
   * NODEID@host:quicPort speaks QUIC only.
   */
  BlixardClient connect(MeterRegistry meters) {
    NodeAddress address = address();
    BlixardClient.Settings defaults = BlixardClient.Settings.defaults();
    BlixardClient client =
        BlixardClient.connect(
            address,
            grpcChannels(),
            new BlixardClient.Settings(
                transport,
                defaults.options(),
                Duration.ZERO,
                timeout,
                defaults.quic(),
                observations),
            meters,
            CircuitBreakerRegistry.ofDefaults());
    if (transport == TransportPolicy.QUIC && client.discoveryFailure().isPresent()) {
      // Without the node's answer there is no QUIC address to call: say why.
      Status cause = Status.fromThrowable(client.discoveryFailure().get());
      client.close();
      throw Status.UNAVAILABLE
          .withDescription(
              "cannot learn the node's QUIC address over gRPC: "
                  + cause.getCode()
                  + (cause.getDescription() == null ? "" : " " + cause.getDescription()))
          .asRuntimeException();
    }
    return client;
  }

  /** Parses 500ms, 5s, 2m, or an ISO-8601 duration. */
  static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        return org.springframework.boot.convert.DurationStyle.detectAndParse(value);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "' (expected: a duration such as 500ms, 5s, 2m or PT5S)");
      }
    }
  }
}
