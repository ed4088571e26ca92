package io.blixard.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * How much the benchmark measures: the full run (tens of minutes) or a quick smoke run of the
 * harness. Every cell is measured once per round; the figures below are per round.
 *
 * @param mode {@code full} or {@code quick}
 * @param rounds how many times every cell is measured, in interleaved rounds (at least 1)
 * @param payloads unary payload sizes
 * @param concurrencies unary callers in flight
 * @param jitWarmUp unmeasured calls of each target before any cell, so that the JIT has compiled
 *     client and servers (new processes) before the first measurement
 * @param warmUp calls before each cell's measurement, by time
 * @param bound how long each unary cell measures at most
 * @param maxCalls how many calls each unary cell measures at most
 * @param coldConnects new connections per target and round
 * @param streamCount messages per streaming call
 * @param streamRepeats streaming calls measured per target and round (after two warm-up calls)
 * @param streamBound how long each target's streaming calls may take at most
 * @param losses loss percentages in the namespace (0 = the namespace path without drops)
 * @param lossConcurrencies unary callers in flight under loss
 * @param lossBound how long each unary cell under loss measures at most
 * @param raft what the Raft section measures
 * @param sections the parts of the benchmark this run measures
 */
public record Settings(
    String mode,
    int rounds,
    List<Integer> payloads,
    List<Integer> concurrencies,
    Duration jitWarmUp,
    Duration warmUp,
    Duration bound,
    long maxCalls,
    int coldConnects,
    int streamCount,
    int streamRepeats,
    Duration streamBound,
    List<Integer> losses,
    List<Integer> lossConcurrencies,
    Duration lossBound,
    Raft raft,
    Set<Section> sections) {

  /** A part of the benchmark, run or left out as a whole ({@code --sections}). */
  public enum Section {
    /** The RPC transports against one node: unary, streams, cold connects, loss. */
    TRANSPORT,
    /** Registry writes and failover on three-node clusters, Raft over gRPC against over QUIC. */
    RAFT;

    /** The name on the command line, e.g. {@code raft}. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }

    /**
     * The sections a comma-separated list names: {@code transport}, {@code raft} or {@code all}.
     */
    public static Set<Section> parse(String list) {
      Set<Section> sections = EnumSet.noneOf(Section.class);
      for (String name : list.split(",", -1)) {
        String trimmed = name.trim().toLowerCase(Locale.ROOT);
        if (trimmed.equals("all")) {
          sections.addAll(EnumSet.allOf(Section.class));
          continue;
        }
        Section section =
            Arrays.stream(values())
                .filter(s -> s.label().equals(trimmed))
                .findFirst()
                .orElseThrow(
                    () ->
                        new IllegalArgumentException(
                            "--sections "
                                + list
                                + " (expected: a comma-separated list of transport, raft, or"
                                + " all)"));
        sections.add(section);
      }
      return sections;
    }
  }

  /**
   * The Raft section: for each Raft transport a three-node cluster, each node in its own network
   * namespace, registry writes in a closed loop through the leader, then the leader killed.
   *
   * @param losses loss percentages on the links between the nodes
   * @param concurrencies writers in flight
   * @param warmUp writes before each cell's measurement, by time
   * @param bound how long each cell of writes measures
   * @param kills leaders killed (and restarted) per transport, loss and round
   */
  public record Raft(
      List<Integer> losses,
      List<Integer> concurrencies,
      Duration warmUp,
      Duration bound,
      int kills) {

    public Raft {
      if (kills < 1) {
        throw new IllegalArgumentException("kills: " + kills + " (expected: at least 1)");
      }
    }
  }

  /** The most rounds a run may have: more would take hours in full mode. */
  public static final int MAX_ROUNDS = 50;

  public Settings {
    if (rounds < 1 || rounds > MAX_ROUNDS) {
      throw new IllegalArgumentException(
          "rounds: " + rounds + " (expected: 1 to " + MAX_ROUNDS + ")");
    }
  }

  public static Settings full() {
    return new Settings(
        "full",
        5,
        List.of(64, 4 * 1024, 64 * 1024, 1024 * 1024),
        List.of(1, 16, 64),
        Duration.ofSeconds(5),
        Duration.ofSeconds(1),
        Duration.ofSeconds(2),
        100_000,
        20,
        10_000,
        6,
        Duration.ofSeconds(12),
        List.of(0, 1, 5),
        List.of(1, 16),
        Duration.ofSeconds(4),
        new Raft(List.of(0, 1, 5), List.of(1, 16), Duration.ofSeconds(1), Duration.ofSeconds(4), 1),
        EnumSet.allOf(Section.class));
  }

  public static Settings quick() {
    return new Settings(
        "quick",
        2,
        List.of(64, 64 * 1024),
        List.of(1, 16),
        Duration.ofSeconds(1),
        Duration.ofMillis(200),
        Duration.ofMillis(500),
        20_000,
        5,
        10_000,
        2,
        Duration.ofSeconds(10),
        List.of(5),
        List.of(1),
        Duration.ofSeconds(1),
        // Every loss level still: the aims compare the transports at 0 and at 5 %.
        new Raft(List.of(0, 1, 5), List.of(1, 16), Duration.ofMillis(500), Duration.ofSeconds(2), 1),
        EnumSet.allOf(Section.class));
  }

  /** These settings with another number of rounds. */
  public Settings withRounds(int rounds) {
    return new Settings(
        mode, rounds, payloads, concurrencies, jitWarmUp, warmUp, bound, maxCalls, coldConnects,
        streamCount, streamRepeats, streamBound, losses, lossConcurrencies, lossBound, raft,
        sections);
  }

  /** These settings measuring only {@code sections}. */
  public Settings withSections(Set<Section> sections) {
    if (sections.isEmpty()) {
      throw new IllegalArgumentException("sections: none (expected: at least one)");
    }
    return new Settings(
        mode, rounds, payloads, concurrencies, jitWarmUp, warmUp, bound, maxCalls, coldConnects,
        streamCount, streamRepeats, streamBound, losses, lossConcurrencies, lossBound, raft,
        Set.copyOf(sections));
  }

  /** Whether this run measures {@code section}. */
  public boolean runs(Section section) {
    return sections.contains(section);
  }

  /** {@code transport,raft}: the sections this run measures, in their order. */
  public String sectionList() {
    return Arrays.stream(Section.values())
        .filter(sections::contains)
        .map(Section::label)
        .collect(Collectors.joining(","));
  }

  /** {@link #named(String, String)} measuring the sections {@code sections} names. */
  public static Settings named(String mode, String rounds, String sections) {
    return named(mode, rounds).withSections(Section.parse(sections));
  }

  /**
   * The settings of a mode, with {@code rounds} rounds: a whole number, or {@code default} for the
   * mode's own (5 in full mode, 2 in quick mode).
   */
  public static Settings named(String mode, String rounds) {
    Settings settings = named(mode);
    if (rounds.equals("default")) {
      return settings;
    }
    try {
      return settings.withRounds(Integer.parseInt(rounds.trim()));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "--rounds "
              + rounds
              + " (expected: a whole number from 1 to "
              + MAX_ROUNDS
              + ", or default)");
    }
  }

  public static Settings named(String mode) {
    return switch (mode) {
      case "full" -> full();
      case "quick" -> quick();
      default ->
          throw new IllegalArgumentException("--mode " + mode + " (expected: full or quick)");
    };
  }
}
