package io.blixard.bench;

import io.blixard.transport.quic.QuicSendWatchdog;
import io.blixard.transport.quic.QuicSockets;
import io.blixard.node.NodeId;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.incubator.codec.quic.DefaultQuicStreamFrame;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.incubator.codec.quic.QuicStreamType;
import java.net.InetSocketAddress;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The QUIC floor: one connection, a new bidirectional stream per call carrying the raw echo ({@link
 * RawEcho}), TLS 1.3 with the same kind of key as the node and the same pinning — QUIC with no RPC
 * layer.
 */
public final class RawQuicTarget implements Target {

  private record Connection(Channel udp, QuicChannel quic) {
    void close() {
      quic.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
      udp.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }
  }

  private final EventLoopGroup group;
  private final InetSocketAddress server;
  private final NodeId pinned;
  private volatile Connection connection;

  /** A client on sockets of its own, the same kind as the node's ({@link QuicSockets}). */
  public RawQuicTarget(InetSocketAddress server, NodeId pinned) {
    this.group = QuicSockets.group(1, "raw-quic-client");
    this.server = server;
    this.pinned = pinned;
  }

  @Override
  public String name() {
    return "raw-quic";
  }

  private Connection connect() throws Exception {
    Channel udp =
        new Bootstrap()
            .group(group)
            .channel(QuicSockets.datagramChannel())
            .option(ChannelOption.SO_RCVBUF, RawEcho.UDP_BUFFER)
            .option(ChannelOption.SO_SNDBUF, RawEcho.UDP_BUFFER)
            .handler(RawEcho.quicClientCodec(pinned))
            .bind(0)
            .sync()
            .channel();
    try {
      QuicChannel quic =
          QuicChannel.newBootstrap(udp)
              .handler(new ChannelInboundHandlerAdapter())
              .option(
                  io.netty.incubator.codec.quic.QuicChannelOption
                      .SEGMENTED_DATAGRAM_PACKET_ALLOCATOR,
                  QuicSockets.segmentedAllocator())
              .remoteAddress(server)
              .connect()
              .get(30, TimeUnit.SECONDS);
      return new Connection(udp, quic);
    } catch (Exception e) {
      udp.close();
      throw e;
    }
  }

  @Override
  public void prepare(int workers) throws Exception {
    if (connection == null) {
      connection = connect();
    }
    unary(0, new byte[64]).get(60, TimeUnit.SECONDS);
  }

  @Override
  public CompletableFuture<Void> unary(int worker, byte[] payload) {
    return call(connection.quic(), (byte) 'E', payload.length, 0, payload, payload.length, 1)
        .thenApply(n -> null);
  }

  @Override
  public CompletableFuture<Integer> stream(int count, byte[] payload) {
    return call(
        connection.quic(),
        (byte) 'S',
        count,
        payload.length,
        new byte[0],
        (long) count * payload.length,
        count);
  }

  private static CompletableFuture<Integer> call(
      QuicChannel quic, byte op, int a, int b, byte[] payload, long expected, int result) {
    CompletableFuture<Integer> answered = new CompletableFuture<>();
    RawEcho.ClientHandler handler = new RawEcho.ClientHandler();
    handler.expect(expected, result, answered);
    quic.createStream(QuicStreamType.BIDIRECTIONAL, handler)
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                answered.completeExceptionally(f.cause());
                return;
              }
              QuicStreamChannel stream = (QuicStreamChannel) f.getNow();
              // The floor has the node's work-around of the library's held-back retransmissions.
              QuicSendWatchdog.watch(stream);
              stream.writeAndFlush(
                  new DefaultQuicStreamFrame(RawEcho.request(op, a, b, payload), true));
            });
    return answered;
  }

  @Override
  public long coldConnect() throws Exception {
    long began = System.nanoTime();
    Connection fresh = connect();
    try {
      call(fresh.quic(), (byte) 'E', 64, 0, new byte[64], 64, 1).get(60, TimeUnit.SECONDS);
      return System.nanoTime() - began;
    } finally {
      fresh.close();
    }
  }

  @Override
  public void close() {
    Connection current = connection;
    connection = null;
    if (current != null) {
      current.close();
    }
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
