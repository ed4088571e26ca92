package io.blixard.transport.grpc;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The gRPC listener.
 *
 * @param port TCP port of the gRPC server. 0 picks a free port.
 * @param bindAddress Address the gRPC server listens on.
 * @param maxInboundMessageSize Largest request message the server accepts; larger ones fail with
 *     RESOURCE_EXHAUSTED. The same default as QUIC's max-frame-size, so every message fits both.
 * @param shutdownGracePeriod How long calls in flight may run on after shutdown begins.
 * @param reflection Whether gRPC server reflection is served, so tools such as grpcurl can list
 *     services without the .proto files.
 */
@Validated
@ConfigurationProperties("blixard.transport.grpc")
public record GrpcTransportProperties(
    @NotNull @Min(0) @Max(65535) Integer port,
    @NotBlank String bindAddress,
    @NotNull DataSize maxInboundMessageSize,
    @NotNull Duration shutdownGracePeriod,
    Boolean reflection) {

  public GrpcTransportProperties {
    port = port == null ? 7001 : port;
    bindAddress = bindAddress == null ? "0.0.0.0" : bindAddress;
    maxInboundMessageSize =
        maxInboundMessageSize == null ? DataSize.ofMegabytes(4) : maxInboundMessageSize;
    shutdownGracePeriod = shutdownGracePeriod == null ? Duration.ofSeconds(5) : shutdownGracePeriod;
    reflection = reflection == null || reflection;
    if (maxInboundMessageSize.toBytes() <= 0
        || maxInboundMessageSize.toBytes() > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "blixard.transport.grpc.max-inbound-message-size: "
              + maxInboundMessageSize
              + " (expected: 1B to 2GB)");
    }
  }
}
