package io.blixard.bench;

import io.blixard.transport.quic.QuicSendWatchdog;
import io.blixard.transport.quic.QuicSockets;
import io.blixard.node.DataDirectory;
import io.blixard.node.NodeIdentity;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.incubator.codec.quic.Quic;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import java.net.InetSocketAddress;
import java.nio.file.Path;

/**
 * The raw echo servers of the floors, run by the benchmark as a process of their own (like the
 * node, and inside the node's network namespace under loss): {@code RawEchoServer <bind address>
 * <tcp port> <udp port> <identity dir>}. Prints {@code READY} when both listen, and exits when its
 * standard input closes, so it never outlives the benchmark.
 */
public final class RawEchoServer {

  private RawEchoServer() {}

  public static void main(String[] args) throws Exception {
    if (args.length != 4) {
      System.err.println(
          "usage: RawEchoServer <bind address> <tcp port> <udp port> <identity dir> (got "
              + args.length
              + " arguments)");
      System.exit(2);
    }
    Quic.ensureAvailability();
    String bind = args[0];
    int tcpPort = Integer.parseInt(args[1]);
    int udpPort = Integer.parseInt(args[2]);
    NodeIdentity identity = NodeIdentity.loadOrCreate(DataDirectory.open(Path.of(args[3])));
    EventLoopGroup group = new NioEventLoopGroup(1);
    // The QUIC floor runs on the same kind of sockets as the node's QUIC server.
    EventLoopGroup udpGroup = QuicSockets.group(1, "raw-quic-server");
    try {
      Channel tcp =
          new ServerBootstrap()
              .group(group)
              .channel(NioServerSocketChannel.class)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childHandler(
                  new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                      ch.pipeline().addLast(new RawEcho.ServerHandler());
                    }
                  })
              .bind(new InetSocketAddress(bind, tcpPort))
              .sync()
              .channel();
      Channel udp =
          new Bootstrap()
              .group(udpGroup)
              .channel(QuicSockets.datagramChannel())
              .option(ChannelOption.SO_RCVBUF, RawEcho.UDP_BUFFER)
              .option(ChannelOption.SO_SNDBUF, RawEcho.UDP_BUFFER)
              .handler(
                  RawEcho.quicServerCodec(
                      identity,
                      new ChannelInitializer<QuicStreamChannel>() {
                        @Override
                        protected void initChannel(QuicStreamChannel ch) {
                          ch.config().setAllowHalfClosure(true);
                          QuicSendWatchdog.watch(ch);
                          ch.pipeline().addLast(new RawEcho.ServerHandler());
                        }
                      }))
              .bind(new InetSocketAddress(bind, udpPort))
              .sync()
              .channel();
      System.out.println("READY " + identity.nodeId().value());
      System.out.flush();
      while (System.in.read() >= 0) {
        // Runs until the benchmark closes our standard input (or dies).
      }
      tcp.close().sync();
      udp.close().sync();
    } finally {
      group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
      udpGroup.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).sync();
    }
  }
}
