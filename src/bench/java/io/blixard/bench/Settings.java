package io.blixard.bench;

import java.time.Duration;
import java.util.List;

/**
 * How much the benchmark measures: the full run (minutes) or a quick smoke run of the harness.
 *
 * @param payloads unary payload sizes
 * @param concurrencies unary callers in flight
 * @param jitWarmUp unmeasured calls of each target before any cell, so that the JIT has compiled
 *     client and servers (new processes) before the first measurement
 * @param warmUp calls before each cell's measurement, by time
 * @param bound how long each unary cell measures at most
 * @param maxCalls how many calls each unary cell measures at most
 * @param coldConnects new connections per target
 * @param streamCount messages per streaming call
 * @param streamRepeats streaming calls measured per target (after two warm-up calls)
 * @param streamBound how long each target's streaming calls may take at most
 * @param losses loss percentages in the namespace (0 = the namespace path without drops)
 * @param lossConcurrencies unary callers in flight under loss
 * @param lossBound how long each unary cell under loss measures at most
 */
public record Settings(
    String mode,
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

  public static Settings full() {
    return new Settings(
        "full",
        List.of(64, 4 * 1024, 64 * 1024, 1024 * 1024),
        List.of(1, 16, 64),
        Duration.ofSeconds(5),
        Duration.ofMillis(1500),
        Duration.ofSeconds(4),
        200_000,
        60,
        10_000,
        20,
        Duration.ofSeconds(20),
        List.of(0, 1, 5),
        List.of(1, 16),
        Duration.ofSeconds(8));
  }

  public static Settings quick() {
    return new Settings(
        "quick",
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

  public static Settings named(String mode) {
    return switch (mode) {
      case "full" -> full();
      case "quick" -> quick();
      default ->
          throw new IllegalArgumentException("--mode " + mode + " (expected: full or quick)");
    };
  }
}
