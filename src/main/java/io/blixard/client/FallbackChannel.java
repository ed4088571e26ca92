package io.blixard.client;

import io.blixard.rpc.ServiceNames;
import io.blixard.transport.Transport;
import io.blixard.transport.UnprocessedRequestException;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;

/**
 * A channel to one peer over QUIC and gRPC: each call goes over the transport its {@link
 * TransportSelection} names, and a call whose QUIC attempt failed moves to gRPC when it may. It may
 * when QUIC could not take it at all (circuit open) and the service is served on gRPC, or when the
 * strategy allows fallback, the attempt ended UNAVAILABLE before anything was answered, and sending
 * it again is safe: its method is declared free of side effects or idempotent, or the failure shows
 * the server never ran it ({@link ReplaySafety}).
 *
 * <p>Moving covers unary and server-streaming calls, whose single request is kept; calls that
 * stream requests go over the chosen transport only.
 */
final class FallbackChannel extends Channel {

  /**
   * Filled in with the transport of each attempt, for the layers above that count per transport
   * (retries).
   */
  static final CallOptions.Key<AtomicReference<Transport>> ATTEMPT_TRANSPORT =
      CallOptions.Key.create("blixard.client.attempt-transport");

  private final String peer;
  private final Channel grpc;
  private final Channel quic;
  private final TransportSelection selection;
  private final MeterRegistry meters;

  /**
   * @param quic the QUIC channel, or null when the peer has no known QUIC address
   */
  FallbackChannel(
      String peer, Channel grpc, Channel quic, TransportSelection selection, MeterRegistry meters) {
    this.peer = Objects.requireNonNull(peer, "peer");
    this.grpc = Objects.requireNonNull(grpc, "grpc");
    this.quic = quic;
    this.selection = Objects.requireNonNull(selection, "selection");
    this.meters = Objects.requireNonNull(meters, "meters");
  }

  @Override
  public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
      MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
    String service = ServiceNames.label(method.getServiceName());
    TransportSelection.Choice choice = selection.select(service);
    if (choice.transport() == Transport.QUIC && quic == null) {
      if (!selection.mayReroute(service)) {
        return new RefusedCall<>(
            Status.UNAVAILABLE
                .withDescription("peer " + peer + " has no known quic address")
                .withCause(new UnprocessedRequestException("no quic address", null)),
            callOptions);
      }
      fallbacks(service, Transport.QUIC, Transport.GRPC, "quic_unknown").increment();
      choice = new TransportSelection.Choice(Transport.GRPC, "quic_unknown");
    }
    selections(service, choice.transport(), choice.reason()).increment();
    if (!method.getType().clientSendsOneMessage()) {
      record(callOptions, choice.transport());
      return channel(choice.transport()).newCall(method, callOptions);
    }
    return new MovingCall<>(method, callOptions, service, choice.transport());
  }

  @Override
  public String authority() {
    return grpc.authority();
  }

  private Channel channel(Transport transport) {
    return transport == Transport.QUIC ? quic : grpc;
  }

  private static void record(CallOptions options, Transport transport) {
    AtomicReference<Transport> used = options.getOption(ATTEMPT_TRANSPORT);
    if (used != null) {
      used.set(transport);
    }
  }

  private Counter fallbacks(String service, Transport from, Transport to, String reason) {
    return Counter.builder("blixard.client.fallbacks")
        .description("Calls moved from one transport to another")
        .tag("service", service)
        .tag("from", from.tag())
        .tag("to", to.tag())
        .tag("reason", reason)
        .register(meters);
  }

  private Counter selections(String service, Transport transport, String reason) {
    return Counter.builder("blixard.client.selections")
        .description("Transport chosen for each call attempt, and why")
        .tag("service", service)
        .tag("transport", transport.tag())
        .tag("reason", reason)
        .register(meters);
  }

  /** A call that starts on its chosen transport and may move once to gRPC. */
  private final class MovingCall<ReqT, RespT> extends ReplayingCall<ReqT, RespT> {

    private final MethodDescriptor<ReqT, RespT> method;
    private final String service;
    private final Transport first;
    private volatile Transport current;

    MovingCall(
        MethodDescriptor<ReqT, RespT> method,
        CallOptions options,
        String service,
        Transport first) {
      super(options, null);
      this.method = method;
      this.service = service;
      this.first = first;
    }

    @Override
    protected ClientCall<ReqT, RespT> newAttempt(int number, CallOptions options) {
      Transport transport = number == 1 ? first : Transport.GRPC;
      current = transport;
      record(options, transport);
      return channel(transport).newCall(method, options);
    }

    @Override
    protected long afterFailure(int number, Status status, Metadata trailers) {
      if (current != Transport.QUIC) {
        return GIVE_UP;
      }
      if (ReplaySafety.circuitOpen(status)) {
        if (!selection.mayReroute(service)) {
          return GIVE_UP;
        }
        fallbacks(service, Transport.QUIC, Transport.GRPC, "circuit_open").increment();
        selections(service, Transport.GRPC, "circuit_open").increment();
        return 0;
      }
      if (status.getCode() != Status.Code.UNAVAILABLE
          || !selection.mayFallBack(service)
          || !ReplaySafety.mayReplay(method, status)) {
        return GIVE_UP;
      }
      fallbacks(service, Transport.QUIC, Transport.GRPC, "unavailable").increment();
      selections(service, Transport.GRPC, "fallback").increment();
      return 0;
    }
  }
}
