/**
 * The transport-neutral RPC layer: the catalogue of every service definition the node serves, the
 * server interceptors every call passes on either transport (metrics), and the standard {@code
 * grpc.health.v1} service that follows readiness. A service is added by adding a {@link
 * io.grpc.BindableService} bean; no transport code changes.
 *
 * <p>May use: {@code transport} (the transport names), {@code health} (readiness), gRPC's API
 * (never a gRPC transport), Micrometer.
 */
package io.blixard.rpc;
