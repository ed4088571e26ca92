/**
 * The node's services as the wire sees them: one thin gRPC adapter per domain service ({@code
 * Grpc<Feature>Service}) that converts generated messages to domain types, delegates, and converts
 * back. No logic lives here. Both transports serve these adapters unchanged: the gRPC starter
 * discovers them ({@code @GrpcService}), the QUIC server reads them from the catalogue.
 *
 * <p>May use: the domain packages, {@code migration} (the transport service reports the strategy),
 * {@code transport} and the gRPC listener's settings (whether it speaks TLS), generated protos,
 * gRPC stubs, the gRPC starter's service annotation.
 */
package io.blixard.api;
