package io.blixard.transport.quic.client;

import io.blixard.node.NodeAddress;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.transport.ChannelFactory;
import io.blixard.transport.Transport;
import io.blixard.transport.quic.QuicMetrics;
import io.blixard.transport.quic.QuicSockets;
import io.grpc.Status;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoopGroup;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * QUIC connections to nodes, one per target, shared by every call to it: dialled on first use
 * (through the {@link QuicDialer}) and again after loss with a backoff between failures, kept alive
 * while open, retired after a spell without calls, and never more than the maximum. It is the QUIC
 * transport's {@link ChannelFactory}.
 */
public final class QuicConnectionPool implements ChannelFactory {

  private final QuicClientSettings settings;
  private final QuicMetrics metrics;
  private final MeterRegistry registry;
  private final EventLoopGroup group;
  private final ExecutorService callbacks;
  private final QuicDialer dialer;
  private final DialBackoff backoff;
  private final Map<NodeAddress, CompletableFuture<QuicConnection>> connections =
      new ConcurrentHashMap<>();
  private volatile boolean closed;

  /**
   * @param identity the certificate presented to servers that want client authentication, or null
   *     for an anonymous client
   */
  public QuicConnectionPool(
      QuicClientSettings settings, NodeIdentity identity, MeterRegistry registry) {
    this(settings, identity, registry, System::nanoTime);
  }

  QuicConnectionPool(
      QuicClientSettings settings,
      NodeIdentity identity,
      MeterRegistry registry,
      LongSupplier nanoTime) {
    this.settings = settings;
    this.registry = registry;
    this.metrics = new QuicMetrics(registry, "client");
    this.group = QuicSockets.group(1, "blixard-quic-client");
    this.callbacks =
        Executors.newCachedThreadPool(new DefaultThreadFactory("blixard-quic-callback", true));
    this.dialer = new QuicDialer(settings, identity, metrics, group);
    this.backoff = new DialBackoff(nanoTime);
    long sweep = Math.max(100, Math.min(1000, settings.idleEviction().toMillis() / 2));
    if (settings.keepAliveInterval().toMillis() > 0) {
      sweep = Math.min(sweep, Math.max(50, settings.keepAliveInterval().toMillis() / 2));
    }
    group.scheduleAtFixedRate(this::sweep, sweep, sweep, TimeUnit.MILLISECONDS);
  }

  @Override
  public Transport transport() {
    return Transport.QUIC;
  }

  /** A channel for the generated stubs, whose calls go over the pooled connection to target. */
  @Override
  public QuicRpcChannel channel(NodeAddress target) {
    return new QuicRpcChannel(this, target);
  }

  /** Same as {@code channel(NodeAddress.parse("QUIC address", address))}. */
  public QuicRpcChannel channel(String address) {
    return channel(NodeAddress.parse("QUIC address", address));
  }

  QuicClientSettings settings() {
    return settings;
  }

  MeterRegistry registry() {
    return registry;
  }

  QuicMetrics metrics() {
    return metrics;
  }

  ExecutorService callbackExecutor() {
    return callbacks;
  }

  ScheduledExecutorService callbackScheduler() {
    return group;
  }

  /**
   * A stream for one call on the connection to target, its frames going to {@code handler}. Fails
   * with a {@link io.grpc.StatusRuntimeException}: UNAVAILABLE when the node cannot be reached,
   * RESOURCE_EXHAUSTED when the pool is full of connections with calls in flight.
   */
  CompletableFuture<QuicStreamChannel> openStream(NodeAddress target, ChannelHandler handler) {
    return connection(target)
        .thenCompose(
            connection -> {
              if (!connection.tryAcquire()) {
                // Retired between hand-out and use: the next look-up dials a fresh one.
                return openStream(target, handler);
              }
              CompletableFuture<QuicStreamChannel> stream = new CompletableFuture<>();
              connection
                  .openStream(handler)
                  .addListener(
                      f -> {
                        if (f.isSuccess()) {
                          stream.complete((QuicStreamChannel) f.getNow());
                        } else {
                          stream.completeExceptionally(
                              Status.UNAVAILABLE
                                  .withDescription(
                                      "cannot open a QUIC stream to " + target + ": " + f.cause())
                                  .withCause(f.cause())
                                  .asRuntimeException());
                        }
                      });
              return stream;
            });
  }

  /** The connection to target, dialled if there is none. */
  CompletableFuture<QuicConnection> connection(NodeAddress target) {
    if (closed) {
      return CompletableFuture.failedFuture(
          Status.UNAVAILABLE.withDescription("the QUIC client is closed").asRuntimeException());
    }
    CompletableFuture<QuicConnection> existing = connections.get(target);
    if (usable(existing)) {
      return existing;
    }
    Optional<RuntimeException> waiting = backoff.pending(target);
    if (waiting.isPresent()) {
      return CompletableFuture.failedFuture(waiting.get());
    }
    CompletableFuture<QuicConnection> fresh = new CompletableFuture<>();
    // Admission is rare (a first call, a lost connection): one at a time keeps the count exact.
    synchronized (connections) {
      CompletableFuture<QuicConnection> current = connections.get(target);
      if (current != existing) {
        return current != null ? current : connection(target);
      }
      if (existing == null && !makeRoom()) {
        return CompletableFuture.failedFuture(
            Status.RESOURCE_EXHAUSTED
                .withDescription(
                    "cannot connect over QUIC to "
                        + target
                        + ": the client holds its maximum of "
                        + settings.maxConnections()
                        + " connections, each with calls in flight")
                .asRuntimeException());
      }
      connections.put(target, fresh);
    }
    if (existing != null && existing.isDone() && !existing.isCompletedExceptionally()) {
      existing.join().close();
    }
    dialer
        .dial(target)
        .whenComplete(
            (connection, error) -> {
              if (error != null) {
                RuntimeException failure =
                    error instanceof RuntimeException r ? r : new CompletionException(error);
                metrics.dialFailed();
                backoff.failed(target, failure);
                connections.remove(target, fresh);
                fresh.completeExceptionally(failure);
                return;
              }
              backoff.succeeded(target);
              connection.closeFuture().addListener(c -> connections.remove(target, fresh));
              if (closed) {
                connection.close();
              }
              fresh.complete(connection);
            });
    return fresh;
  }

  private static boolean usable(CompletableFuture<QuicConnection> f) {
    return f != null && (!f.isDone() || (!f.isCompletedExceptionally() && f.join().isUsable()));
  }

  /** The node id the connection to target saw, if it is connected. */
  public Optional<NodeId> connectedNode(NodeAddress target) {
    CompletableFuture<QuicConnection> f = connections.get(target);
    if (f == null || !f.isDone() || f.isCompletedExceptionally()) {
      return Optional.empty();
    }
    return Optional.ofNullable(f.join().peer());
  }

  /** Connections currently open. */
  public int size() {
    return (int)
        connections.values().stream()
            .filter(f -> f.isDone() && !f.isCompletedExceptionally() && f.join().isActive())
            .count();
  }

  /**
   * Makes room for one more connection, retiring the idlest one without calls if the pool is full;
   * false when it is full and every connection has calls in flight. Called under the admission
   * lock.
   */
  private boolean makeRoom() {
    while (connections.size() >= settings.maxConnections()) {
      var idlest =
          connections.entrySet().stream()
              .filter(e -> e.getValue().isDone() && !e.getValue().isCompletedExceptionally())
              .filter(e -> e.getValue().join().calls() == 0)
              .max(Comparator.comparingLong(e -> e.getValue().join().idleNanos()));
      if (idlest.isEmpty()) {
        return false;
      }
      retire(idlest.get().getKey(), idlest.get().getValue());
    }
    return true;
  }

  /** Closes a connection no call holds; one a call took meanwhile stays. */
  private boolean retire(NodeAddress target, CompletableFuture<QuicConnection> f) {
    QuicConnection connection = f.join();
    if (!connection.tryRetire()) {
      return false;
    }
    connections.remove(target, f);
    connection.close();
    return true;
  }

  /** Retires connections idle for the eviction time, and keeps the others alive. */
  void sweep() {
    long evictNanos = settings.idleEviction().toNanos();
    long keepAliveNanos = settings.keepAliveInterval().toNanos();
    for (var entry : connections.entrySet()) {
      CompletableFuture<QuicConnection> f = entry.getValue();
      if (!f.isDone() || f.isCompletedExceptionally()) {
        continue;
      }
      QuicConnection connection = f.join();
      if (connection.idleNanos() >= evictNanos && retire(entry.getKey(), f)) {
        continue;
      }
      if (keepAliveNanos > 0 && connection.isActive()) {
        // Also while calls are open: a slow handler or a quiet stream sends nothing itself.
        connection.keepAlive(keepAliveNanos, settings.connectTimeout().toMillis());
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    connections.values().forEach(f -> f.thenAccept(QuicConnection::close));
    connections.clear();
    // Bounded: an event loop stuck in a task would otherwise hold the caller for ever.
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    callbacks.shutdownNow();
  }
}
