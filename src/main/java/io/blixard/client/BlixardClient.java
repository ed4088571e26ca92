package io.blixard.client;

import io.blixard.migration.MigrationStrategy;
import io.blixard.migration.StrategyProtos;
import io.blixard.node.NodeAddress;
import io.blixard.node.NodeId;
import io.blixard.proto.transport.v1.GetTransportInfoRequest;
import io.blixard.proto.transport.v1.GetTransportInfoResponse;
import io.blixard.proto.transport.v1.Strategy;
import io.blixard.proto.transport.v1.TransportServiceGrpc;
import io.blixard.proto.transport.v1.WatchStrategyRequest;
import io.blixard.rpc.RpcClientObservations;
import io.blixard.transport.Transport;
import io.blixard.transport.grpc.GrpcChannelFactory;
import io.blixard.transport.quic.client.QuicClientSettings;
import io.blixard.transport.quic.client.QuicConnectionPool;
import io.github.resilience4j.circuitbreaker.CircuitBreakerRegistry;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.StreamObserver;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.observation.ObservationRegistry;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client of one node that knows only its gRPC address: it asks the node for its transports
 * ({@code GetTransportInfo}: node id, QUIC address, migration strategy), pins the QUIC connection
 * to the node id it learnt, and sends each call over the transport the strategy names, falling back
 * to gRPC when QUIC fails. The node's answer is refreshed periodically and after a QUIC failure,
 * and a long-lived client watches its strategy (WatchStrategy) to follow a change at once. Its gRPC
 * channel comes from the {@link GrpcChannelFactory} it is given (plaintext, TLS, or whichever the
 * port speaks), its QUIC channels from a {@link QuicConnectionPool} of its own.
 *
 * <p>Given {@code NODEID@host:quicPort} instead, it speaks QUIC only, to that node.
 */
public final class BlixardClient implements AutoCloseable {

  private static final Logger log = LoggerFactory.getLogger(BlixardClient.class);
  private static final Duration WATCH_RETRY = Duration.ofSeconds(5);

  /**
   * How the client behaves.
   *
   * @param policy follow the node's strategy, or pin one transport
   * @param options retries, retry budget and circuit breakers
   * @param refreshInterval how often the node's transports and strategy are asked for again
   * @param discoveryTimeout deadline of each {@code GetTransportInfo}
   * @param quic QUIC connection settings
   * @param observations where each call attempt is observed: with a tracer in it, every attempt is
   *     a client span tagged with the transport it used, and carries the trace context to the node
   *     ({@link ObservationRegistry#NOOP}: not observed, no trace context sent)
   */
  public record Settings(
      TransportPolicy policy,
      ClientOptions options,
      Duration refreshInterval,
      Duration discoveryTimeout,
      QuicClientSettings quic,
      ObservationRegistry observations) {

    public Settings {
      Objects.requireNonNull(policy, "policy");
      Objects.requireNonNull(options, "options");
      Objects.requireNonNull(quic, "quic");
      Objects.requireNonNull(observations, "observations");
    }

    /** Settings whose calls are not observed. */
    public Settings(
        TransportPolicy policy,
        ClientOptions options,
        Duration refreshInterval,
        Duration discoveryTimeout,
        QuicClientSettings quic) {
      this(policy, options, refreshInterval, discoveryTimeout, quic, ObservationRegistry.NOOP);
    }

    /** Follow the strategy; refresh every 30 s; 5 s to discover; calls not observed. */
    public static Settings defaults() {
      return new Settings(
          TransportPolicy.AUTO,
          ClientOptions.defaults(),
          Duration.ofSeconds(30),
          Duration.ofSeconds(5),
          QuicClientSettings.defaults());
    }

    public Settings withPolicy(TransportPolicy policy) {
      return new Settings(policy, options, refreshInterval, discoveryTimeout, quic, observations);
    }

    public Settings withRefreshInterval(Duration interval) {
      return new Settings(policy, options, interval, discoveryTimeout, quic, observations);
    }

    public Settings withOptions(ClientOptions options) {
      return new Settings(policy, options, refreshInterval, discoveryTimeout, quic, observations);
    }

    public Settings withObservations(ObservationRegistry observations) {
      return new Settings(policy, options, refreshInterval, discoveryTimeout, quic, observations);
    }
  }

  private final String address;
  private final Settings settings;
  private final MeterRegistry meters;
  private final ManagedChannel grpc;
  private final QuicConnectionPool pool;
  private final CircuitBreakerRegistry breakers;
  private final LatencyTracker latency = new LatencyTracker();
  private final ScheduledExecutorService scheduler;
  private final AtomicLong lastRefreshNanos = new AtomicLong();
  private final AtomicLong watched = new AtomicLong();
  private volatile ClientCall<WatchStrategyRequest, Strategy> watchCall;

  private volatile MigrationStrategy strategy = MigrationStrategy.defaults();
  private volatile GetTransportInfoResponse info;
  private volatile Channel current;
  private volatile Channel quicChannel;
  private volatile RuntimeException discoveryFailure;

  private BlixardClient(
      NodeAddress address,
      GrpcChannelFactory grpcChannels,
      Settings settings,
      MeterRegistry meters,
      CircuitBreakerRegistry breakers) {
    this.address = address.toString();
    this.settings = settings;
    this.meters = meters;
    this.breakers = breakers;
    // The client certificate on gRPC is the client certificate on QUIC.
    this.pool = new QuicConnectionPool(settings.quic(), grpcChannels.identity(), meters);
    this.scheduler =
        Executors.newSingleThreadScheduledExecutor(
            r -> {
              Thread t = new Thread(r, "blixard-client");
              t.setDaemon(true);
              return t;
            });
    if (address.pinned()) {
      this.grpc = null;
      this.current = observed(pool.channel(address), Transport.QUIC);
      return;
    }
    try {
      this.grpc = grpcChannels.newChannel(address);
    } catch (RuntimeException e) {
      close();
      throw e;
    }
    this.current = choosing(null);
    refresh();
    long every = settings.refreshInterval().toMillis();
    if (every > 0) {
      scheduler.scheduleWithFixedDelay(this::refresh, every, every, TimeUnit.MILLISECONDS);
      watch();
    }
  }

  /**
   * Follows the node's strategy as it changes ({@code WatchStrategy}), within a moment of the
   * change; the periodic refresh goes on beside it, so a broken watch costs only that delay until
   * it is opened again.
   */
  private void watch() {
    if (scheduler.isShutdown()) {
      return;
    }
    ClientCall<WatchStrategyRequest, Strategy> call;
    try {
      call = current.newCall(TransportServiceGrpc.getWatchStrategyMethod(), CallOptions.DEFAULT);
    } catch (RuntimeException e) {
      watchAgainLater();
      return;
    }
    watchCall = call;
    ClientCalls.asyncServerStreamingCall(
        call,
        WatchStrategyRequest.getDefaultInstance(),
        new StreamObserver<Strategy>() {
          @Override
          public void onNext(Strategy next) {
            strategy = StrategyProtos.fromProto(next);
            watched.incrementAndGet();
          }

          @Override
          public void onError(Throwable t) {
            log.debug("The strategy watch of {} ended: {}", address, t.toString());
            watchAgainLater();
          }

          @Override
          public void onCompleted() {
            watchAgainLater();
          }
        });
  }

  private void watchAgainLater() {
    try {
      scheduler.schedule(this::watch, WATCH_RETRY.toMillis(), TimeUnit.MILLISECONDS);
    } catch (RejectedExecutionException closed) {
      // The client is closing.
    }
  }

  /** How many strategies the watch delivered: a test's way to see that it follows. */
  public long strategiesWatched() {
    return watched.get();
  }

  /**
   * Connects to a node by its gRPC address ({@code host:port}), or over QUIC only by {@code
   * NODEID@host:quicPort}. Discovery failures do not fail the connect: the client starts on gRPC
   * and tries again at each refresh.
   *
   * @param grpc makes the gRPC channel: plaintext or TLS as the node's gRPC port speaks
   * @throws io.grpc.StatusRuntimeException UNAVAILABLE when {@code grpc} must find out whether the
   *     port speaks TLS ({@link GrpcChannelFactory.Tls#AUTO}) and cannot reach it
   */
  public static BlixardClient connect(
      NodeAddress address,
      GrpcChannelFactory grpc,
      Settings settings,
      MeterRegistry meters,
      CircuitBreakerRegistry breakers) {
    Objects.requireNonNull(address, "address");
    Objects.requireNonNull(grpc, "grpc");
    return new BlixardClient(address, grpc, settings, meters, breakers);
  }

  /**
   * {@link #connect(NodeAddress, GrpcChannelFactory, Settings, MeterRegistry,
   * CircuitBreakerRegistry)} of the address as text.
   */
  public static BlixardClient connect(
      String address,
      GrpcChannelFactory grpc,
      Settings settings,
      MeterRegistry meters,
      CircuitBreakerRegistry breakers) {
    return connect(NodeAddress.parse("node address", address), grpc, settings, meters, breakers);
  }

  /** The channel for the generated stubs. */
  public Channel channel() {
    return new Channel() {
      @Override
      public <ReqT, RespT> ClientCall<ReqT, RespT> newCall(
          MethodDescriptor<ReqT, RespT> method, CallOptions callOptions) {
        return current.newCall(method, callOptions);
      }

      @Override
      public String authority() {
        return current.authority();
      }
    };
  }

  /** What the node said of itself at the last successful discovery. */
  public Optional<GetTransportInfoResponse> transportInfo() {
    return Optional.ofNullable(info);
  }

  /** Why the last attempt to ask the node for its transports failed, if it did. */
  public Optional<RuntimeException> discoveryFailure() {
    return Optional.ofNullable(discoveryFailure);
  }

  /** The strategy this client follows now. */
  public MigrationStrategy strategy() {
    return strategy;
  }

  /** Asks the node for its transports and strategy again, now. */
  public void refresh() {
    if (grpc == null) {
      return;
    }
    lastRefreshNanos.set(System.nanoTime());
    GetTransportInfoResponse answer;
    try {
      answer = ask(observed(grpc, Transport.GRPC));
    } catch (RuntimeException overGrpc) {
      Channel quic = quicChannel;
      if (quic == null) {
        log.debug("Cannot ask {} for its transports: {}", address, overGrpc.toString());
        discoveryFailure = overGrpc;
        return;
      }
      try {
        answer = ask(observed(quic, Transport.QUIC));
      } catch (RuntimeException overQuic) {
        log.debug("Cannot ask {} for its transports: {}", address, overQuic.toString());
        discoveryFailure = overQuic;
        return;
      }
    }
    GetTransportInfoResponse previous = info;
    info = answer;
    discoveryFailure = null;
    strategy = StrategyProtos.fromProto(answer.getStrategy());
    boolean quicMoved =
        previous == null
            || !previous.getQuicAddress().equals(answer.getQuicAddress())
            || !previous.getNodeId().equals(answer.getNodeId());
    if (quicMoved) {
      current = choosing(answer);
    }
  }

  /** {@code channel} with each call observed as an attempt over {@code transport}. */
  private Channel observed(Channel channel, Transport transport) {
    return ClientInterceptors.intercept(
        channel, RpcClientObservations.interceptor(settings.observations(), transport));
  }

  private GetTransportInfoResponse ask(Channel channel) {
    return TransportServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(settings.discoveryTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .getTransportInfo(GetTransportInfoRequest.getDefaultInstance());
  }

  private void refreshSoon() {
    long since = System.nanoTime() - lastRefreshNanos.get();
    if (since > TimeUnit.SECONDS.toNanos(1)) {
      lastRefreshNanos.set(System.nanoTime());
      scheduler.execute(this::refresh);
    }
  }

  private Channel choosing(GetTransportInfoResponse answer) {
    Channel quic = null;
    if (answer != null && !answer.getQuicAddress().isEmpty()) {
      NodeAddress target = NodeAddress.parse("quic_address", answer.getQuicAddress());
      quic = pool.channel(target.pinnedTo(NodeId.parse(answer.getNodeId())));
    }
    quicChannel = quic;
    return TransportChoosingChannel.builder(address, grpc)
        .quic(quic)
        .strategy(() -> strategy)
        .policy(settings.policy())
        .options(settings.options())
        .breakers(breakers)
        .latency(latency)
        .meters(meters)
        .observations(settings.observations())
        .scheduler(scheduler)
        .onQuicFailure(this::refreshSoon)
        .build();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
    ClientCall<WatchStrategyRequest, Strategy> watching = watchCall;
    if (watching != null) {
      watching.cancel("client closed", null);
    }
    if (grpc != null) {
      grpc.shutdownNow();
      try {
        grpc.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    pool.close();
  }
}
