package io.blixard.cli;

import io.blixard.client.BlixardClient;
import io.blixard.client.TransportPolicy;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import picocli.CommandLine.Option;

/** How a command reaches a node: its address, the call deadline, the output format. */
final class NodeOptions {

  @Option(
      names = "--node",
      defaultValue = "127.0.0.1:7001",
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

  @Option(names = "--json", description = "Print the answer as JSON, for scripts.")
  boolean json;

  @Option(
      names = "--transport",
      defaultValue = "auto",
      description =
          "auto: the transport the node's migration strategy names, falling back to gRPC when QUIC"
              + " fails; grpc or quic: that transport only (default: ${DEFAULT-VALUE}).")
  TransportPolicy transport;

  /**
   * A client of the node: discovery over gRPC, then each call over the transport chosen. --node
   * NODEID@host:quicPort speaks QUIC only.
   */
  BlixardClient connect(MeterRegistry meters) {
    if (!node.contains("@")) {
      HostPort.parse(node);
    }
    BlixardClient.Settings defaults = BlixardClient.Settings.defaults();
    BlixardClient client =
        BlixardClient.connect(
            node,
            new BlixardClient.Settings(
                transport, defaults.options(), Duration.ZERO, timeout, defaults.quic()),
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

  ManagedChannel openChannel() {
    HostPort target = HostPort.parse(node);
    return ManagedChannelBuilder.forAddress(target.host(), target.port()).usePlaintext().build();
  }

  /** host:port, with the reason when it is not one. */
  record HostPort(String host, int port) {
    static HostPort parse(String text) {
      int colon = text.lastIndexOf(':');
      if (colon <= 0 || colon == text.length() - 1) {
        throw new IllegalArgumentException("--node " + text + " (expected: host:port)");
      }
      int port;
      try {
        port = Integer.parseInt(text.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(
            "--node " + text + " (expected: a port number after ':')");
      }
      if (port < 1 || port > 65535) {
        throw new IllegalArgumentException(
            "--node " + text + " (expected: a port from 1 to 65535)");
      }
      String host = text.substring(0, colon);
      if (host.startsWith("[") && host.endsWith("]")) {
        host = host.substring(1, host.length() - 1);
      }
      return new HostPort(host, port);
    }
  }

  /** Parses 500ms, 5s, 2m, or an ISO-8601 duration. */
  static final class DurationConverter implements picocli.CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      return org.springframework.boot.convert.DurationStyle.detectAndParse(value);
    }
  }
}
