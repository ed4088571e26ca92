package io.blixard.transport.grpc;

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
import java.util.HashMap;
import java.util.Map;
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

  private final int maxConnections;
  private final int maxPerSource;
  private final Counter refusedTotal;
  private final Counter refusedPerSource;
  private final RefusalLog refusals = new RefusalLog(log, "gRPC connections");
  // Guarded by this.
  private final Map<InetAddress, Integer> perSource = new HashMap<>();
  private int held;

  public GrpcConnectionLimit(int maxConnections, int maxPerSource, MeterRegistry registry) {
    this.maxConnections = maxConnections;
    this.maxPerSource = maxPerSource;
    Gauge.builder(CONNECTIONS, this, GrpcConnectionLimit::held)
        .description("gRPC connections open")
        .register(registry);
    refusedTotal = refused(registry, "max_connections");
    refusedPerSource = refused(registry, "max_connections_per_source");
  }

  private static Counter refused(MeterRegistry registry, String reason) {
    return Counter.builder(CONNECTIONS_REFUSED)
        .description("gRPC connections the server closed as they were accepted, by reason")
        .tag("reason", reason)
        .register(registry);
  }

  /** Connections counted now. */
  public synchronized int held() {
    return held;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    Channel child = (Channel) msg;
    InetAddress source =
        child.remoteAddress() instanceof InetSocketAddress address ? address.getAddress() : null;
    String refusal = admit(source);
    if (refusal != null) {
      refusals.refused(refusal);
      child.unsafe().closeForcibly();
      return;
    }
    child.closeFuture().addListener(f -> release(source));
    ctx.fireChannelRead(msg);
  }

  private synchronized String admit(InetAddress source) {
    if (held >= maxConnections) {
      refusedTotal.increment();
      return "the server holds "
          + held
          + " gRPC connections, its limit (blixard.transport.grpc.max-connections)";
    }
    int fromSource = source == null ? 0 : perSource.getOrDefault(source, 0);
    if (fromSource >= maxPerSource) {
      refusedPerSource.increment();
      return "the server holds "
          + fromSource
          + " gRPC connections from "
          + source.getHostAddress()
          + ", its limit per address (blixard.transport.grpc.max-connections-per-source)";
    }
    held++;
    if (source != null) {
      perSource.merge(source, 1, Integer::sum);
    }
    return null;
  }

  private synchronized void release(InetAddress source) {
    held--;
    if (source != null) {
      perSource.computeIfPresent(source, (address, count) -> count == 1 ? null : count - 1);
    }
  }
}
