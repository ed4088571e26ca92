/**
 * The transport-neutral RPC layer: the catalogue of every service definition the node serves, the
 * one server interceptor chain every call passes on either transport ({@link
 * io.blixard.rpc.ServerInterceptorChain}: metrics and the server span through Micrometer's gRPC
 * observation, with histograms of fixed buckets and the caller's kind, authorization, the
 * migration's served-on check), the client observation every outgoing call attempt passes ({@link
 * io.blixard.rpc.RpcClientObservations}: a client span tagged with its transport, its context sent
 * in the call's metadata), and the bridge that keeps the gRPC starter's {@code grpc.health.v1} in
 * step with readiness. A service is added by adding a {@link io.grpc.BindableService} bean; no
 * transport code changes.
 *
 * <p>May use: {@code transport} (the transport names), {@code health} (readiness), gRPC's API
 * (never a gRPC transport), the gRPC starter's health, Micrometer.
 */
package io.blixard.rpc;
