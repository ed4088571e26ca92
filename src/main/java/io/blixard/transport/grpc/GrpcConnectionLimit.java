package io.blixard.transport.grpc;

import io.blixard.transport.ConnectionLimits;
import io.blixard.transport.RefusalLog;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandler;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInboundHandlerAdapter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the gRPC server to max-connections in all and max-connections-per-source from one address
 * (grpc-java has no limit of its own). It sits first in the listening socket's pipeline, where each
 * accepted connection arrives before gRPC sets it up: one over a limit is closed there, before TLS
 * or HTTP/2 cost anything, counted by reason and logged at most once a minute.
 */
@ChannelHandler.Sharable
public final class GrpcConnectionLimit extends ChannelInboundHandlerAdapter {

  public static final String CONNECTIONS = "blixard.grpc.connections";
  public static final String CONNECTIONS_REFUSED = "blixard.grpc.connections.refused";

  private static final Logger log = LoggerFactory.getLogger(GrpcConnectionLimit.class);

  private final ConnectionLimits limits;
  private final Map<ConnectionLimits.Refusal, Counter> refused =
      new EnumMap<>(ConnectionLimits.Refusal.class);
  private final RefusalLog refusals = new RefusalLog(log, "gRPC connections");

  public GrpcConnectionLimit(int maxConnections, int maxPerSource, MeterRegistry registry) {
    this.limits =
        new ConnectionLimits("gRPC", "blixard.transport.grpc", maxConnections, maxPerSource);
    Gauge.builder(CONNECTIONS, limits, ConnectionLimits::held)
        .description("gRPC connections open")
        .register(registry);
    for (ConnectionLimits.Refusal reason : ConnectionLimits.Refusal.values()) {
      refused.put(
          reason,
          Counter.builder(CONNECTIONS_REFUSED)
              .description("gRPC connections the server closed as they were accepted, by reason")
              .tag("reason", reason.tag())
              .register(registry));
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel child = (Channel) msg;
    InetAddress source =
        child.remoteAddress() instanceof InetSocketAddress address ? address.getAddress() : null;
    Optional<ConnectionLimits.Refused> refusal = limits.admit(source);
    if (refusal.isPresent()) {
      refused.get(refusal.get().reason()).increment();
      refusals.refused(refusal.get().message());
      child.unsafe().closeForcibly();
      return;
    }
    child.closeFuture().addListener(f -> limits.release(source));
    ctx.fireChannelRead(msg);
  }
}
