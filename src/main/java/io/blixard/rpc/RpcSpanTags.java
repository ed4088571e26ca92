package io.blixard.rpc;

/**
 * The tags every RPC span carries, server and client, on both transports: the names Micrometer's
 * own gRPC observations use, plus the transport of the call.
 */
public final class RpcSpanTags {

  /** The full service name, {@code blixard.health.v1.HealthService}. */
  public static final String SERVICE = "rpc.service";

  /** The method's bare name, {@code Check}. */
  public static final String METHOD = "rpc.method";

  /** {@code grpc} or {@code quic}: the transport the call (or the client's attempt) used. */
  public static final String TRANSPORT = "blixard.transport";

  /** The gRPC status code's name the call ended with, {@code OK}, {@code UNAVAILABLE}. */
  public static final String STATUS = "grpc.status_code";

  private RpcSpanTags() {}
}
