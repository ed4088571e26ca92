/**
 * The QUIC server: accepts connections, reads each stream's call, and serves it from the service
 * definitions of the catalogue through gRPC's server API, so no service has QUIC code of its own.
 * The stream's frames in order ({@code QuicCallHandler}), the call seen by gRPC ({@code
 * QuicServerCall}), the ALPN restriction as a server interceptor of QUIC's own ({@code
 * QuicAlpnInterceptor}), the calls open for shutdown ({@code OpenCalls}).
 *
 * <p>May use: {@code transport.quic}, {@code transport.quic.codec}, {@code transport}, {@code rpc},
 * {@code node}, gRPC's server API, the Netty QUIC codec, Guava's executors.
 */
package io.blixard.transport.quic.server;
