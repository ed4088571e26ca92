package io.blixard.bench;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioSocketChannel;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The TCP floor: the raw echo ({@link RawEcho}) in plaintext with no RPC layer, one connection per
 * caller (so no head-of-line blocking between callers, which one HTTP/2 connection has).
 */
public final class RawTcpTarget implements Target {

  private record Connection(Channel channel, RawEcho.ClientHandler handler) {}

  private final EventLoopGroup group;
  private final InetSocketAddress server;
  private final List<Connection> connections = new ArrayList<>();
  private volatile Connection[] byWorker = new Connection[0];
  private Connection streaming;

  public RawTcpTarget(EventLoopGroup group, InetSocketAddress server) {
    this.group = group;
    this.server = server;
  }

  @Override
  public String name() {
    return "raw-tcp";
  }

  private Connection connect() throws InterruptedException {
    RawEcho.ClientHandler handler = new RawEcho.ClientHandler();
    Channel channel =
        new Bootstrap()
            .group(group)
            .channel(NioSocketChannel.class)
            .option(ChannelOption.TCP_NODELAY, true)
            .handler(handler)
            .connect(server)
            .sync()
            .channel();
    return new Connection(channel, handler);
  }

  @Override
  public synchronized void prepare(int workers) throws Exception {
    while (connections.size() < workers) {
      connections.add(connect());
    }
    byWorker = connections.toArray(new Connection[0]);
    for (int w = 0; w < workers; w++) {
      unary(w, new byte[64]).get(60, TimeUnit.SECONDS);
    }
  }

  @Override
  public CompletableFuture<Void> unary(int worker, byte[] payload) {
    return call(byWorker[worker], (byte) 'E', payload.length, 0, payload, payload.length, 1)
        .thenApply(n -> null);
  }

  private static CompletableFuture<Integer> call(
      Connection on, byte op, int a, int b, byte[] payload, long expected, int result) {
    CompletableFuture<Integer> answered = new CompletableFuture<>();
    on.handler().expect(expected, result, answered);
    on.channel()
        .writeAndFlush(RawEcho.request(op, a, b, payload))
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                answered.completeExceptionally(f.cause());
              }
            });
    return answered;
  }

  @Override
  public synchronized CompletableFuture<Integer> stream(int count, byte[] payload) {
    if (streaming == null) {
      try {
        streaming = connect();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return CompletableFuture.failedFuture(e);
      }
    }
    return call(
        streaming, (byte) 'S', count, payload.length, new byte[0], (long) count * payload.length,
        count);
  }

  @Override
  public long coldConnect() throws Exception {
    long began = System.nanoTime();
    Connection fresh = connect();
    try {
      call(fresh, (byte) 'E', 64, 0, new byte[64], 64, 1).get(60, TimeUnit.SECONDS);
      return System.nanoTime() - began;
    } finally {
      fresh.channel().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  @Override
  public synchronized void close() {
    connections.forEach(c -> c.channel().close().awaitUninterruptibly(5, TimeUnit.SECONDS));
    connections.clear();
    byWorker = new Connection[0];
    if (streaming != null) {
      streaming.channel().close().awaitUninterruptibly(5, TimeUnit.SECONDS);
      streaming = null;
    }
  }
}
