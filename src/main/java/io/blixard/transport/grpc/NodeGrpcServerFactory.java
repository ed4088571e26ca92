package io.blixard.transport.grpc;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettySslContextServerCredentials;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.ServerChannel;
import io.grpc.netty.shaded.io.netty.channel.epoll.Epoll;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.epoll.EpollServerSocketChannel;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContext;
import io.grpc.netty.shaded.io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.grpc.server.ServerBuilderCustomizer;
import org.springframework.grpc.server.ShadedNettyGrpcServerFactory;
import org.springframework.lang.Nullable;

/**
 * The starter's shaded-Netty server factory, bound to the configured address and speaking TLS 1.3
 * with the node's own certificate. The starter's factory binds every interface on the port of its
 * address and builds TLS from a key manager without a protocol choice; this one binds {@code
 * blixard.transport.grpc.bind-address} and takes the node's {@link SslContext} ({@link GrpcTls}).
 *
 * <p>Its listening socket carries the {@link GrpcConnectionLimit}, so the factory gives the server
 * its own event loops (grpc-java takes a socket type only with them), the same kind as grpc-java
 * would choose: epoll where it runs, NIO elsewhere. They outlive a stop and start of the server and
 * end with the application.
 */
public class NodeGrpcServerFactory extends ShadedNettyGrpcServerFactory implements DisposableBean {

  private final InetSocketAddress bindAddress;
  private final SslContext sslContext;
  private final GrpcConnectionLimit limit;
  private EventLoopGroup boss;
  private EventLoopGroup workers;

  /**
   * @param sslContext the server's TLS, or null for plaintext
   * @param customizers applied to the builder after the services are added, in order
   */
  public NodeGrpcServerFactory(
      InetSocketAddress bindAddress,
      @Nullable SslContext sslContext,
      GrpcConnectionLimit limit,
      List<ServerBuilderCustomizer<NettyServerBuilder>> customizers) {
    super(bindAddress.getHostString() + ":" + bindAddress.getPort(), customizers, null, null, null);
    this.bindAddress = Objects.requireNonNull(bindAddress, "bindAddress");
    this.sslContext = sslContext;
    this.limit = Objects.requireNonNull(limit, "limit");
  }

  @Override
  protected synchronized NettyServerBuilder newServerBuilder() {
    boolean epoll = Epoll.isAvailable();
    if (boss == null) {
      boss = group(epoll, 1, "blixard-grpc-boss");
      workers = group(epoll, 0, "blixard-grpc-worker");
    }
    Supplier<ServerChannel> socket =
        epoll ? EpollServerSocketChannel::new : NioServerSocketChannel::new;
    return NettyServerBuilder.forAddress(bindAddress, credentials())
        .bossEventLoopGroup(boss)
        .workerEventLoopGroup(workers)
        .channelFactory(
            () -> {
              ServerChannel channel = socket.get();
              channel.pipeline().addLast(limit);
              return channel;
            });
  }

  private static EventLoopGroup group(boolean epoll, int threads, String name) {
    DefaultThreadFactory factory = new DefaultThreadFactory(name, true);
    return epoll
        ? new EpollEventLoopGroup(threads, factory)
        : new NioEventLoopGroup(threads, factory);
  }

  @Override
  public synchronized void destroy() {
    if (boss != null) {
      boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  @Override
  protected ServerCredentials credentials() {
    return sslContext == null
        ? InsecureServerCredentials.create()
        : NettySslContextServerCredentials.create(sslContext);
  }

  /** Whether the server speaks TLS. */
  public boolean tls() {
    return sslContext != null;
  }

  /** The configured address (its port may be 0: the bound one is the started server's). */
  public InetSocketAddress bindAddress() {
    return bindAddress;
  }
}
