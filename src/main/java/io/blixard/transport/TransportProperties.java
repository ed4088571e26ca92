package io.blixard.transport;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.validation.annotation.Validated;

/**
 * Transport settings common to every transport.
 *
 * @param mode Which transports the node listens on: grpc, quic or dual.
 */
@Validated
@ConfigurationProperties("blixard.transport")
public record TransportProperties(TransportMode mode) {

  public TransportProperties {
    if (mode == null) {
      mode = TransportMode.DUAL;
    }
  }
}
