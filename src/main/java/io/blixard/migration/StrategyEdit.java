package io.blixard.migration;

import io.blixard.rpc.InputEcho;
import io.blixard.rpc.ServiceNames;
import io.blixard.transport.Transport;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.springframework.lang.Nullable;

/**
 * One change of a migration strategy, as an operator asks for it: a service's QUIC share, QUIC
 * preference or served-on transports, the fallback, and (the cluster's only) the canary guard and
 * where Raft traffic goes. Checked when made, so that a wrong value is refused with what was
 * expected before anything changes; the same for the cluster's strategy ({@code blixard strategy
 * set}) and a node's override ({@code /actuator/transports}).
 */
public final class StrategyEdit {

  private final String service;
  private final Integer quicShare;
  private final Boolean preferQuic;
  private final Set<Transport> servedOn;
  private final Boolean fallbackToGrpc;
  private final Boolean guard;
  private final Boolean promote;
  private final RaftTransport raftTransport;
  private final String description;

  private StrategyEdit(
      String service,
      Integer quicShare,
      Boolean preferQuic,
      Set<Transport> servedOn,
      Boolean fallbackToGrpc,
      Boolean guard,
      Boolean promote,
      RaftTransport raftTransport,
      String description) {
    this.service = service;
    this.quicShare = quicShare;
    this.preferQuic = preferQuic;
    this.servedOn = servedOn;
    this.fallbackToGrpc = fallbackToGrpc;
    this.guard = guard;
    this.promote = promote;
    this.raftTransport = raftTransport;
    this.description = description;
  }

  /**
   * A change of the cluster's canary guard: turned on or off ({@code guard}), its promotion on or
   * off ({@code promote}). Only for the cluster's strategy: the leader's guard reads that one.
   *
   * @throws IllegalArgumentException when neither is given
   */
  public static StrategyEdit guard(@Nullable Boolean guard, @Nullable Boolean promote) {
    if (guard == null && promote == null) {
      throw new IllegalArgumentException("nothing to change (expected: guard or guardPromote)");
    }
    return new StrategyEdit(
        null, null, null, null, null, guard, promote, null, guardWords(guard, promote));
  }

  /** This change and a change of the canary guard ({@link #guard}) together. */
  public StrategyEdit andGuard(@Nullable Boolean guard, @Nullable Boolean promote) {
    if (guard == null && promote == null) {
      return this;
    }
    return new StrategyEdit(
        service,
        quicShare,
        preferQuic,
        servedOn,
        fallbackToGrpc,
        guard,
        promote,
        raftTransport,
        description + ", " + guardWords(guard, promote));
  }

  /**
   * A change of where Raft traffic goes: {@code raftTransport} is always-grpc, always-quic or
   * adaptive. Only for the cluster's strategy: every member's Raft must follow the same one.
   *
   * @throws IllegalArgumentException naming what was expected
   */
  public static StrategyEdit raftTransport(String raftTransport) {
    RaftTransport parsed = parseRaftTransport(raftTransport);
    return new StrategyEdit(
        null, null, null, null, null, null, null, parsed, "raft-transport " + tag(parsed));
  }

  /** This change and a change of where Raft traffic goes ({@link #raftTransport}) together. */
  public StrategyEdit andRaftTransport(@Nullable String text) {
    if (text == null) {
      return this;
    }
    RaftTransport parsed = parseRaftTransport(text);
    return new StrategyEdit(
        service,
        quicShare,
        preferQuic,
        servedOn,
        fallbackToGrpc,
        guard,
        promote,
        parsed,
        description + ", raft-transport " + tag(parsed));
  }

  private static RaftTransport parseRaftTransport(String text) {
    String name = text == null ? "" : text.trim().toUpperCase(Locale.ROOT).replace('-', '_');
    try {
      return RaftTransport.valueOf(name);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "raftTransport: "
              + InputEcho.quoted(text == null ? "" : text.trim())
              + " (expected: always-grpc, always-quic or adaptive)");
    }
  }

  private static String tag(RaftTransport transport) {
    return transport.name().toLowerCase(Locale.ROOT).replace('_', '-');
  }

  private static String guardWords(Boolean guard, Boolean promote) {
    List<String> words = new ArrayList<>();
    if (guard != null) {
      words.add("guard " + (guard ? "on" : "off"));
    }
    if (promote != null) {
      words.add("guard promotion " + (promote ? "on" : "off"));
    }
    return String.join(", ", words);
  }

  /**
   * A change: {@code service} with any of {@code quicShare} (0 to 100), {@code preferQuic} or
   * {@code servedOn} ("grpc", "quic" or "grpc,quic"); {@code fallbackToGrpc} alone or with them.
   *
   * @throws IllegalArgumentException naming what is wrong and what was expected
   */
  public static StrategyEdit of(
      @Nullable String service,
      @Nullable Integer quicShare,
      @Nullable Boolean preferQuic,
      @Nullable String servedOn,
      @Nullable Boolean fallbackToGrpc) {
    List<String> changes = new ArrayList<>();
    if (service == null && (quicShare != null || preferQuic != null || servedOn != null)) {
      throw new IllegalArgumentException(
          "quicShare, preferQuic and servedOn need a service (expected one of "
              + ServiceNames.KNOWN
              + ")");
    }
    if (service != null) {
      ServiceNames.requireKnown(service, "service");
      if (quicShare == null && preferQuic == null && servedOn == null) {
        throw new IllegalArgumentException(
            "nothing to change for " + service + " (expected: quicShare, preferQuic or servedOn)");
      }
    }
    if (service == null && fallbackToGrpc == null) {
      throw new IllegalArgumentException(
          "nothing to change (expected: service with quicShare, preferQuic or servedOn;"
              + " or fallbackToGrpc)");
    }
    Set<Transport> served = servedOn == null ? null : parseTransports(servedOn);
    if (preferQuic != null) {
      changes.add(service + " prefer-quic " + preferQuic);
    }
    if (quicShare != null) {
      changes.add(service + " quic-share " + quicShare + "%");
    }
    if (served != null) {
      changes.add(
          service + " served-on " + String.join(",", served.stream().map(Transport::tag).toList()));
    }
    if (fallbackToGrpc != null) {
      changes.add("fallback-to-grpc " + fallbackToGrpc);
    }
    return new StrategyEdit(
        service,
        quicShare,
        preferQuic,
        served,
        fallbackToGrpc,
        null,
        null,
        null,
        String.join(", ", changes));
  }

  /** What changes, in words: "health quic-share 50%, fallback-to-grpc true". */
  public String description() {
    return description;
  }

  /** {@code s} with the change made; validated by the strategy's constructor. */
  public MigrationStrategy applyTo(MigrationStrategy s) {
    MigrationStrategy next = s;
    if (preferQuic != null) {
      next = next.withPreferQuic(service, preferQuic);
    }
    if (quicShare != null) {
      next = next.withQuicShare(service, quicShare);
    }
    if (servedOn != null) {
      next = next.withServedOn(service, servedOn);
    }
    if (fallbackToGrpc != null) {
      next = next.withFallbackToGrpc(fallbackToGrpc);
    }
    if (raftTransport != null) {
      next = next.withRaftTransport(raftTransport);
    }
    if (guard != null) {
      next = next.withGuard(next.guard().withEnabled(guard));
    }
    if (promote != null) {
      MigrationStrategy.Promote p = next.guard().promote();
      next =
          next.withGuard(
              next.guard()
                  .withPromote(
                      new MigrationStrategy.Promote(promote, p.step(), p.healthyWindows())));
    }
    return next;
  }

  private static Set<Transport> parseTransports(String text) {
    Set<Transport> transports = EnumSet.noneOf(Transport.class);
    for (String part : text.split(",")) {
      String name = part.trim().toUpperCase(Locale.ROOT);
      try {
        transports.add(Transport.valueOf(name));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "servedOn: " + InputEcho.quoted(part.trim()) + " (expected: grpc, quic or grpc,quic)");
      }
    }
    return transports;
  }
}
