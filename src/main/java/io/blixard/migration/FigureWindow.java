package io.blixard.migration;

import io.blixard.rpc.TransportFigures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The members' figures over a sliding window: each collection adds what every member counted since
 * the collection before (the difference of its running totals), and a window adds up the
 * collections within it. A member seen for the first time, or again after a restart (a new
 * instance), gives its totals as the starting point only, so calls from before the window never
 * count.
 */
final class FigureWindow {

  private record Slice(Instant at, Map<TransportFigures.Key, TransportFigures.Counts> counts) {}

  private final Map<String, NodeFigures> previous = new HashMap<>();
  private final Deque<Slice> slices = new ArrayDeque<>();

  /** Adds one collection, made at {@code at}; slices older than {@code keep} before it go. */
  void add(Instant at, List<NodeFigures> collected, Duration keep) {
    Map<TransportFigures.Key, TransportFigures.Counts> delta = new HashMap<>();
    for (NodeFigures now : collected) {
      NodeFigures before = previous.put(now.nodeId(), now);
      if (before == null || before.instance() != now.instance()) {
        continue;
      }
      now.counts()
          .forEach(
              (key, counts) -> {
                TransportFigures.Counts was = before.counts().get(key);
                TransportFigures.Counts added = was == null ? counts : minus(counts, was);
                delta.merge(key, added, FigureWindow::plus);
              });
    }
    slices.addLast(new Slice(at, delta));
    while (!slices.isEmpty() && !slices.peekFirst().at().isAfter(at.minus(keep))) {
      slices.removeFirst();
    }
  }

  /** The calls of the collections made after {@code from}, added up over the members. */
  Map<TransportFigures.Key, TransportFigures.Counts> since(Instant from) {
    Map<TransportFigures.Key, TransportFigures.Counts> total = new HashMap<>();
    for (Slice slice : slices) {
      if (slice.at().isAfter(from)) {
        slice.counts().forEach((key, counts) -> total.merge(key, counts, FigureWindow::plus));
      }
    }
    return total;
  }

  /** Forgets everything: the next collection is a starting point again. */
  void clear() {
    previous.clear();
    slices.clear();
  }

  static TransportFigures.Counts plus(TransportFigures.Counts a, TransportFigures.Counts b) {
    long[] buckets = a.buckets();
    long[] other = b.buckets();
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] += other[i];
    }
    return new TransportFigures.Counts(a.calls() + b.calls(), a.errors() + b.errors(), buckets);
  }

  /** What was counted between two totals of the same instance; never below zero. */
  static TransportFigures.Counts minus(TransportFigures.Counts now, TransportFigures.Counts was) {
    long[] buckets = now.buckets();
    long[] before = was.buckets();
    for (int i = 0; i < buckets.length; i++) {
      buckets[i] = Math.max(0, buckets[i] - before[i]);
    }
    return new TransportFigures.Counts(
        Math.max(0, now.calls() - was.calls()), Math.max(0, now.errors() - was.errors()), buckets);
  }
}
