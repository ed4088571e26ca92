package io.blixard.transport;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotNull;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.validation.annotation.Validated;

/**
 * Transport settings common to every transport.
 *
 * @param mode Which transports the node listens on: grpc, quic or dual.
 * @param strategy The migration strategy at start-up; changeable at run time through {@code
 *     /actuator/transports}.
 */
@Validated
@ConfigurationProperties("blixard.transport")
public record TransportProperties(
    @DefaultValue("dual") @NotNull TransportMode mode,
    @DefaultValue @Valid @NotNull MigrationStrategy strategy) {}
