package io.blixard.transport;

import java.util.List;
import org.springframework.boot.actuate.health.AbstractHealthIndicator;
import org.springframework.boot.actuate.health.Health;

/**
 * UP when every transport that {@code blixard.transport.mode} names has a listener bound; the
 * details give each transport's address.
 */
public class TransportsHealthIndicator extends AbstractHealthIndicator {

  private final TransportMode mode;
  private final List<TransportListener> listeners;

  public TransportsHealthIndicator(TransportMode mode, List<TransportListener> listeners) {
    super("transports health check failed");
    this.mode = mode;
    this.listeners = List.copyOf(listeners);
  }

  @Override
  protected void doHealthCheck(Health.Builder builder) {
    builder.up().withDetail("mode", mode.name().toLowerCase(java.util.Locale.ROOT));
    for (Transport transport : mode.transports()) {
      String state =
          listeners.stream()
              .filter(l -> l.transport() == transport)
              .flatMap(l -> l.localAddress().stream())
              .findFirst()
              .map(a -> "listening on " + a.getHostString() + ":" + a.getPort())
              .orElse(null);
      if (state == null) {
        builder.down();
        state = "not listening (expected: a " + transport.tag() + " listener in mode " + mode + ")";
      }
      builder.withDetail(transport.tag(), state);
    }
  }
}
