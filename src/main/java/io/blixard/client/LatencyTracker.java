package io.blixard.client;

import io.blixard.transport.Transport;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per service and transport, an exponentially weighted moving average of call latency and the
 * number of samples behind it: what adaptive selection compares.
 */
public final class LatencyTracker {

  /** Weight of the newest sample. */
  static final double ALPHA = 0.2;

  private record Key(String service, Transport transport) {}

  private static final class Average {
    private double micros;
    private long samples;

    synchronized void add(double value) {
      micros = samples == 0 ? value : ALPHA * value + (1 - ALPHA) * micros;
      samples++;
    }

    synchronized double micros() {
      return micros;
    }

    synchronized long samples() {
      return samples;
    }
  }

  private final Map<Key, Average> averages = new ConcurrentHashMap<>();

  public void record(String service, Transport transport, long nanos) {
    averages.computeIfAbsent(new Key(service, transport), k -> new Average()).add(nanos / 1000.0);
  }

  public long samples(String service, Transport transport) {
    Average average = averages.get(new Key(service, transport));
    return average == null ? 0 : average.samples();
  }

  /** The moving average in microseconds, once there is at least one sample. */
  public OptionalDouble averageMicros(String service, Transport transport) {
    Average average = averages.get(new Key(service, transport));
    return average == null || average.samples() == 0
        ? OptionalDouble.empty()
        : OptionalDouble.of(average.micros());
  }
}
