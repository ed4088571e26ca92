package io.blixard.transport.quic.raft;

import io.blixard.migration.RaftTransport;
import io.blixard.transport.Transport;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Which transport carries the next Raft call to a peer. The strategy's {@code raft-transport} names
 * the wanted one: gRPC, QUIC, or under {@code adaptive} the one with the lower smoothed latency,
 * switched to only when it is at least {@link #ADAPTIVE_MARGIN} faster and the current choice has
 * held for a probe interval (hysteresis). A transport whose call did not reach the peer or was not
 * answered in time is down: the peer's calls take the other transport until a probe (or a call)
 * over the down one succeeds. A peer without a QUIC address is reached over gRPC. Nothing here
 * needs a Raft write, so a bad choice undoes itself.
 */
final class RaftPathChooser {

  /** How much faster the other transport must be for adaptive to switch to it (25 %). */
  static final double ADAPTIVE_MARGIN = 0.25;

  /** The weight of a new latency sample in the smoothed latency. */
  static final double SMOOTHING = 0.2;

  /** One transport's state for one peer. */
  private static final class PathState {
    boolean down;
    double smoothedNanos = Double.NaN;
  }

  /** One peer's state: its two transports, adaptive's choice, and the transport used last. */
  private static final class PeerState {
    final Map<Transport, PathState> paths = new EnumMap<>(Transport.class);
    Transport adaptive = Transport.GRPC;
    Instant adaptiveSince;
    volatile Transport inUse;

    PeerState(Instant now) {
      paths.put(Transport.GRPC, new PathState());
      paths.put(Transport.QUIC, new PathState());
      adaptiveSince = now;
    }
  }

  private final Clock clock;
  private final Duration probeInterval;
  private final Map<String, PeerState> peers = new ConcurrentHashMap<>();

  RaftPathChooser(Clock clock, Duration probeInterval) {
    this.clock = Objects.requireNonNull(clock, "clock");
    if (probeInterval.isNegative() || probeInterval.isZero()) {
      throw new IllegalArgumentException("probeInterval: " + probeInterval + " (expected: > 0)");
    }
    this.probeInterval = probeInterval;
  }

  /**
   * The transport for the next call to {@code peer} under {@code strategy}; {@code quicKnown} is
   * whether the peer has a QUIC address.
   */
  Transport choose(String peer, RaftTransport strategy, boolean quicKnown) {
    Instant now = clock.instant();
    PeerState state = peer(peer, now);
    Transport chosen;
    synchronized (state) {
      chosen = quicKnown ? choose(state, strategy, now) : Transport.GRPC;
    }
    state.inUse = chosen;
    return chosen;
  }

  /** The call to {@code peer} goes over {@code transport} after all: the other one failed. */
  void using(String peer, Transport transport) {
    peer(peer, clock.instant()).inUse = transport;
  }

  private Transport choose(PeerState state, RaftTransport strategy, Instant now) {
    Transport wanted =
        switch (strategy) {
          case ALWAYS_GRPC -> Transport.GRPC;
          case ALWAYS_QUIC -> Transport.QUIC;
          case ADAPTIVE -> adaptive(state, now);
        };
    Transport other = other(wanted);
    return state.paths.get(wanted).down && !state.paths.get(other).down ? other : wanted;
  }

  private Transport adaptive(PeerState state, Instant now) {
    Transport current = state.adaptive;
    double mine = state.paths.get(current).smoothedNanos;
    double theirs = state.paths.get(other(current)).smoothedNanos;
    boolean held = !now.isBefore(state.adaptiveSince.plus(probeInterval));
    if (held
        && !Double.isNaN(theirs)
        && (Double.isNaN(mine) || theirs < mine * (1 - ADAPTIVE_MARGIN))) {
      state.adaptive = other(current);
      state.adaptiveSince = now;
    }
    return state.adaptive;
  }

  /** A call to {@code peer} over {@code transport} answered after {@code latency}. */
  void succeeded(String peer, Transport transport, Duration latency) {
    PeerState state = peer(peer, clock.instant());
    synchronized (state) {
      PathState path = state.paths.get(transport);
      path.down = false;
      double sample = latency.toNanos();
      path.smoothedNanos =
          Double.isNaN(path.smoothedNanos)
              ? sample
              : path.smoothedNanos + SMOOTHING * (sample - path.smoothedNanos);
    }
  }

  /**
   * A call or probe to {@code peer} over {@code transport} did not reach it or was not answered in
   * time: down until one succeeds.
   */
  void failed(String peer, Transport transport) {
    PeerState state = peer(peer, clock.instant());
    synchronized (state) {
      state.paths.get(transport).down = true;
    }
  }

  /** Whether the last call or probe to {@code peer} over {@code transport} failed. */
  boolean isDown(String peer, Transport transport) {
    PeerState state = peer(peer, clock.instant());
    synchronized (state) {
      return state.paths.get(transport).down;
    }
  }

  /** The peers known here, for the prober. */
  java.util.Set<String> peers() {
    return java.util.Set.copyOf(peers.keySet());
  }

  /** The transport the last call to {@code peer} took; empty before the first call. */
  Optional<Transport> inUse(String peer) {
    PeerState state = peers.get(peer);
    return state == null ? Optional.empty() : Optional.ofNullable(state.inUse);
  }

  /** Forgets {@code peer}, no longer in the group. */
  void forget(String peer) {
    peers.remove(peer);
  }

  private PeerState peer(String peer, Instant now) {
    return peers.computeIfAbsent(peer, p -> new PeerState(now));
  }

  static Transport other(Transport transport) {
    return transport == Transport.GRPC ? Transport.QUIC : Transport.GRPC;
  }
}
