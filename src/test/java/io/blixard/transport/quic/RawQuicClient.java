package io.blixard.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.node.NodeIdentity;
import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.security.NodeIdTrustManager;
import io.blixard.transport.quic.codec.CallHeader;
import io.blixard.transport.quic.codec.Frame;
import io.blixard.transport.quic.codec.FrameDecoder;
import io.blixard.transport.quic.codec.FrameType;
import io.blixard.transport.quic.codec.Frames;
import io.blixard.transport.quic.codec.StatusPayload;
import io.grpc.Status;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicClientCodecBuilder;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.incubator.codec.quic.QuicStreamType;
import java.io.ByteArrayInputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A QUIC client that writes whatever bytes a test gives it, frame rules or not, and hands back what
 * the server answers: the peer a protocol test needs to break the protocol on purpose.
 */
final class RawQuicClient implements AutoCloseable {

  private final NioEventLoopGroup group = new NioEventLoopGroup(1);
  final QuicChannel connection;

  RawQuicClient(int port, String alpn) throws Exception {
    this(port, alpn, null, 30);
  }

  /**
   * A client presenting {@code identity}'s certificate (null: none), whose connection may stay
   * silent for {@code idleSeconds}.
   */
  RawQuicClient(int port, String alpn, NodeIdentity identity, long idleSeconds) throws Exception {
    var codec =
        new QuicClientCodecBuilder()
            .sslContext(QuicTls.client(NodeIdTrustManager.recording(), identity, alpn))
            .maxIdleTimeout(idleSeconds, TimeUnit.SECONDS)
            .initialMaxData(64L * 1024 * 1024)
            .initialMaxStreamDataBidirectionalLocal(16L * 1024 * 1024)
            .initialMaxStreamDataBidirectionalRemote(16L * 1024 * 1024)
            .build();
    Channel datagram =
        new Bootstrap()
            .group(group)
            .channel(NioDatagramChannel.class)
            .handler(codec)
            .bind(0)
            .sync()
            .channel();
    try {
      connection =
          QuicChannel.newBootstrap(datagram)
              .handler(new ChannelInboundHandlerAdapter())
              .remoteAddress(new InetSocketAddress("127.0.0.1", port))
              .connect()
              .get(10, TimeUnit.SECONDS);
    } catch (Exception e) {
      // A refused connection leaves no thread behind.
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw e;
    }
  }

  /** One stream; what the server sends arrives in {@link RawStream#received}. */
  RawStream open() throws Exception {
    RawStream raw = new RawStream();
    raw.stream =
        connection
            .createStream(
                QuicStreamType.BIDIRECTIONAL,
                new ChannelInitializer<QuicStreamChannel>() {
                  @Override
                  protected void initChannel(QuicStreamChannel ch) {
                    ch.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
                    ch.pipeline().addLast(new FrameDecoder(64 * 1024 * 1024), raw);
                  }
                })
            .get(10, TimeUnit.SECONDS);
    return raw;
  }

  /** A frame's bytes as the codec would write them, with no checks: the test decides what goes. */
  static ByteBuf encode(Frame frame) {
    ByteBuf out = Unpooled.buffer();
    out.writeByte(FrameDecoder.VERSION).writeByte(frame.type().code());
    out.writeInt(frame.payload().readableBytes());
    out.writeLong(frame.requestId().getMostSignificantBits());
    out.writeLong(frame.requestId().getLeastSignificantBits());
    out.writeShort(0);
    out.writeBytes(frame.payload());
    frame.release();
    return out;
  }

  /** A REQUEST frame's bytes. */
  static ByteBuf request(UUID id, String method, long timeoutMillis, byte[] message) {
    return encode(
        Frames.request(
            ByteBufAllocator.DEFAULT,
            id,
            new CallHeader(method, timeoutMillis, Map.of()),
            new ByteArrayInputStream(message)));
  }

  /** The status of the ERROR frame the server answered with, after which it ended the stream. */
  static Status errorOf(RawStream stream) throws Exception {
    return errorOf(stream, stream.next());
  }

  /** {@link #errorOf(RawStream)} for an {@code answer} the test has taken from the stream. */
  static Status errorOf(RawStream stream, Object answer) throws Exception {
    assertThat(answer).isInstanceOf(Frame.class);
    Frame frame = (Frame) answer;
    assertThat(frame.type()).isEqualTo(FrameType.ERROR);
    Status status = StatusPayload.readFrom(frame.payload());
    frame.release();
    stream.finished.get(10, TimeUnit.SECONDS);
    return status;
  }

  /** A good unary call of the echo service on the same connection still succeeds. */
  void assertStillServes() throws Exception {
    RawStream stream = open();
    stream.writeAndFinish(
        request(
            UUID.randomUUID(),
            "blixard.test.v1.EchoService/Unary",
            5000,
            EchoRequest.newBuilder().setText("still here").build().toByteArray()));
    Frame frame = (Frame) stream.next();
    assertThat(frame.type()).isEqualTo(FrameType.RESPONSE);
    assertThat(EchoResponse.parseFrom(new ByteBufInputStream(frame.payload())).getText())
        .isEqualTo("still here");
    frame.release();
    assertThat(connection.isActive()).isTrue();
  }

  @Override
  public void close() {
    connection.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  static final class RawStream extends ChannelInboundHandlerAdapter {
    QuicStreamChannel stream;
    final BlockingQueue<Object> received = new LinkedBlockingQueue<>();
    final CompletableFuture<Void> finished = new CompletableFuture<>();

    void write(ByteBuf bytes) {
      stream.writeAndFlush(bytes).syncUninterruptibly();
    }

    void writeAndFinish(ByteBuf bytes) {
      stream
          .writeAndFlush(bytes)
          .addListener(QuicStreamChannel.SHUTDOWN_OUTPUT)
          .syncUninterruptibly();
    }

    /** The next frame (a Frame, or a FrameError if the server broke the protocol). */
    Object next() throws InterruptedException {
      Object next = received.poll(10, TimeUnit.SECONDS);
      if (next == null) {
        throw new AssertionError("the server sent nothing within 10 s");
      }
      return next;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      received.add(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof ChannelInputShutdownEvent) {
        finished.complete(null);
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      finished.complete(null);
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      finished.completeExceptionally(cause);
    }
  }
}
