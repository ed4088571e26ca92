package io.blixard.transport.grpc;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;
import org.springframework.validation.annotation.Validated;

/**
 * The gRPC listener, served by the gRPC starter's server (docs/configuration-grpc.md says how these
 * keys map onto it).
 *
 * @param port TCP port of the gRPC server. 0 picks a free port.
 * @param bindAddress Address the gRPC server listens on.
 * @param maxInboundMessageSize Largest request message the server accepts; larger ones fail with
 *     RESOURCE_EXHAUSTED. The same default as QUIC's max-frame-size, so every message fits both.
 * @param shutdownGracePeriod How long calls in flight may run on after shutdown begins.
 * @param reflection Whether gRPC server reflection is served, so tools such as grpcurl can list
 *     services without the .proto files.
 * @param tls TLS on the gRPC listener, with the node's own key and certificate.
 * @param maxConnections Most TCP connections the gRPC server holds at once; a further one is closed
 *     as soon as it is accepted.
 * @param maxConnectionsPerSource Most TCP connections from one IP address.
 * @param maxConcurrentCallsPerConnection Calls one connection may have open at once (HTTP/2
 *     MAX_CONCURRENT_STREAMS); beyond, the client waits for one to end. The same as QUIC's
 *     max-concurrent-streams by default.
 */
@Validated
@ConfigurationProperties("blixard.transport.grpc")
public record GrpcTransportProperties(
    @DefaultValue("7001") @Min(0) @Max(65535) int port,
    @DefaultValue("0.0.0.0") @NotBlank String bindAddress,
    @DefaultValue("4MB") @NotNull DataSize maxInboundMessageSize,
    @DefaultValue("5s") @NotNull Duration shutdownGracePeriod,
    @DefaultValue("true") boolean reflection,
    @DefaultValue @Valid @NotNull Tls tls,
    @DefaultValue("1000") @Min(1) @Max(1_000_000) int maxConnections,
    @DefaultValue("100") @Min(1) @Max(1_000_000) int maxConnectionsPerSource,
    @DefaultValue("100") @Min(1) @Max(1_000_000) int maxConcurrentCallsPerConnection) {

  public GrpcTransportProperties {
    if (maxInboundMessageSize != null
        && (maxInboundMessageSize.toBytes() <= 0
            || maxInboundMessageSize.toBytes() > Integer.MAX_VALUE)) {
      throw new IllegalArgumentException(
          "blixard.transport.grpc.max-inbound-message-size: "
              + maxInboundMessageSize
              + " (expected: 1B to 2GB)");
    }
  }

  /**
   * TLS on the gRPC listener.
   *
   * @param enabled Whether the gRPC server speaks TLS 1.3 with the node's key and self-signed
   *     certificate (the same identity as QUIC), so that clients can pin the node id they dial. On
   *     by default; plaintext needs blixard.security.mode=insecure, which also makes it the
   *     default.
   * @param clientAuth Whether the server asks clients for their certificate: none, optional
   *     (clients may present one) or require (the handshake fails without one). A presented
   *     certificate is accepted whatever its issuer; interceptors read it from the call's SSL
   *     session and decide by the node id it hashes to. Needs enabled. Optional by default, so that
   *     a caller without one is answered UNAUTHENTICATED (or served, where the access policy is
   *     open) instead of failing the handshake; secure mode refuses none.
   */
  public record Tls(
      @DefaultValue("true") boolean enabled,
      @DefaultValue("optional") @NotNull ClientAuth clientAuth) {

    public Tls {
      // Optional is the default and means nothing without TLS; require would be a promise broken.
      if (!enabled && clientAuth == ClientAuth.REQUIRE) {
        throw new IllegalArgumentException(
            "blixard.transport.grpc.tls.client-auth: require (expected: none or optional while"
                + " blixard.transport.grpc.tls.enabled is false)");
      }
    }
  }

  /** Whether the gRPC server asks TLS clients for a certificate. */
  public enum ClientAuth {
    /** Clients are anonymous. */
    NONE,
    /** Clients may present their certificate. */
    OPTIONAL,
    /** Clients must present their certificate. */
    REQUIRE
  }
}
