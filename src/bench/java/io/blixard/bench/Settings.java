package io.blixard.bench;

import java.time.Duration;
import java.util.List;

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
    Duration lossBound) {

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
        Duration.ofSeconds(4));
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
        Duration.ofSeconds(1));
  }

  /** These settings with another number of rounds. */
  public Settings withRounds(int rounds) {
    return new Settings(
        mode, rounds, payloads, concurrencies, jitWarmUp, warmUp, bound, maxCalls, coldConnects,
        streamCount, streamRepeats, streamBound, losses, lossConcurrencies, lossBound);
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
