package io.blixard.security;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Objects;
import org.springframework.stereotype.Component;

/**
 * Counts refused requests as {@code blixard.security.refusals{transport,reason}} (Prometheus {@code
 * blixard_security_refusals_total}); reasons are short lowercase words such as {@code
 * bad_signature} or {@code not_admitted}.
 */
@Component
public final class SecurityRefusals {

  /** The meter's name. */
  public static final String METER = "blixard.security.refusals";

  private final MeterRegistry meters;

  public SecurityRefusals(MeterRegistry meters) {
    this.meters = Objects.requireNonNull(meters, "meters");
  }

  /** Counts one refusal. */
  public void count(String transport, String reason) {
    Counter.builder(METER)
        .description("Requests refused by the node's security checks")
        .tag("transport", transport)
        .tag("reason", reason)
        .register(meters)
        .increment();
  }
}
