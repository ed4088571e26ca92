package io.blixard.transport;

import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Transport settings common to every transport.
 *
 * @param mode Which transports the node listens on: grpc, quic or dual.
 */
@Validated
@ConfigurationProperties("blixard.transport")
public record TransportProperties(@DefaultValue("dual") @NotNull TransportMode mode) {}
