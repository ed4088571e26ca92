package io.blixard.bench;

import io.blixard.transport.quic.QuicSockets;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.security.NodeIdTrustManager;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.incubator.codec.quic.DefaultQuicStreamFrame;
import io.netty.incubator.codec.quic.QuicClientCodecBuilder;
import io.netty.incubator.codec.quic.QuicCodecBuilder;
import io.netty.incubator.codec.quic.QuicServerCodecBuilder;
import io.netty.incubator.codec.quic.QuicSslContext;
import io.netty.incubator.codec.quic.QuicSslContextBuilder;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The raw floors' wire format, with no RPC layer: a 9-byte header, then for an echo the payload.
 *
 * <pre>
 * offset size
 * 0      1    op: 'E' echo the payload that follows, 'S' stream count messages of size bytes
 * 1      4    'E': payload length; 'S': count
 * 5      4    'E': 0;              'S': size
 * 9      len  'E': the payload
 * </pre>
 *
 * The answer is the bytes only. Over QUIC each request has its own stream, which both sides end
 * with FIN; over TCP requests follow each other on a connection.
 */
public final class RawEcho {

  static final String ALPN = "blixard-bench-echo";
  static final int HEADER = 9;

  /**
   * UDP socket buffers of both ends. Linux's default (208 KiB) drops datagrams of large answers
   * before QUIC reads them, which then look like loss; 4 MiB is the largest {@code
   * net.core.rmem_max} allows here without changing the system.
   */
  static final int UDP_BUFFER = 4 * 1024 * 1024;

  private RawEcho() {}

  /** A request: its header, then the payload (not copied). */
  static ByteBuf request(byte op, int a, int b, byte[] payload) {
    ByteBuf header = Unpooled.buffer(HEADER, HEADER).writeByte(op).writeInt(a).writeInt(b);
    return payload.length == 0 ? header : Unpooled.wrappedBuffer(header, Unpooled.wrappedBuffer(payload));
  }

  /** The QUIC transport parameters of both ends: room for the largest payload on one stream. */
  static <B extends QuicCodecBuilder<B>> B quicSettings(B builder) {
    return builder
        .maxIdleTimeout(60, TimeUnit.SECONDS)
        .initialMaxData(64L * 1024 * 1024)
        .initialMaxStreamDataBidirectionalLocal(16L * 1024 * 1024)
        .initialMaxStreamDataBidirectionalRemote(16L * 1024 * 1024)
        .initialMaxStreamsBidirectional(100_000)
        .activeMigration(false);
  }

  static ChannelHandler quicServerCodec(NodeIdentity identity, ChannelHandler streamHandler) {
    QuicSslContext ssl =
        QuicSslContextBuilder.forServer(identity.privateKey(), null, identity.certificate())
            .applicationProtocols(ALPN)
            .build();
    return quicSettings(new QuicServerCodecBuilder())
        .option(
            io.netty.incubator.codec.quic.QuicChannelOption.SEGMENTED_DATAGRAM_PACKET_ALLOCATOR,
            QuicSockets.segmentedAllocator())
        .sslContext(ssl)
        .tokenHandler(io.netty.incubator.codec.quic.InsecureQuicTokenHandler.INSTANCE)
        .handler(new ConnectionHandler())
        .streamHandler(streamHandler)
        .build();
  }

  static ChannelHandler quicClientCodec(NodeId pinned) {
    QuicSslContext ssl =
        QuicSslContextBuilder.forClient()
            .trustManager(NodeIdTrustManager.pinned(pinned))
            .applicationProtocols(ALPN)
            .build();
    return quicSettings(new QuicClientCodecBuilder()).sslContext(ssl).build();
  }

  /** Nothing to do per connection: the streams carry the calls. Shared by every connection. */
  @ChannelHandler.Sharable
  static final class ConnectionHandler extends ChannelInboundHandlerAdapter {}

  /** The server side: answers each request as its bytes arrive. */
  static final class ServerHandler extends ChannelInboundHandlerAdapter {
    private final ByteBuf header = Unpooled.buffer(HEADER, HEADER);
    private long echoRemaining;

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      try {
        while (in.isReadable()) {
          if (echoRemaining == 0) {
            header.writeBytes(in, Math.min(HEADER - header.readableBytes(), in.readableBytes()));
            if (header.readableBytes() < HEADER) {
              return;
            }
            byte op = header.readByte();
            int a = header.readInt();
            int b = header.readInt();
            header.clear();
            if (op == 'E' && a > 0) {
              echoRemaining = a;
            } else if (op == 'E') {
              answered(ctx);
            } else if (op == 'S') {
              for (int i = 0; i < a; i++) {
                ctx.write(ctx.alloc().buffer(b).writeZero(b));
                if (i % 256 == 255) {
                  ctx.flush();
                }
              }
              answered(ctx);
            } else {
              ctx.close();
              return;
            }
          } else {
            int n = (int) Math.min(echoRemaining, in.readableBytes());
            ctx.write(in.readRetainedSlice(n));
            echoRemaining -= n;
            if (echoRemaining == 0) {
              answered(ctx);
            }
          }
        }
      } finally {
        in.release();
      }
    }

    private void answered(ChannelHandlerContext ctx) {
      if (ctx.channel() instanceof QuicStreamChannel) {
        // FIN goes after the answer's bytes, in the same ordered write queue.
        // No close() after it: closing a stream whose bytes are not all acknowledged resets it,
        // and under packet loss the client would lose the end of the answer. QUIC frees the
        // stream once both sides have finished.
        ctx.writeAndFlush(new DefaultQuicStreamFrame(Unpooled.EMPTY_BUFFER, true));
      } else {
        ctx.flush();
      }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
      ctx.flush();
    }


    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      header.release();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  /** The client side: counts the bytes of the answer it waits for. */
  static final class ClientHandler extends ChannelInboundHandlerAdapter {
    private CompletableFuture<Integer> pending;
    private long expected;
    private long received;
    private int result;

    /** Waits for {@code bytes}, then completes {@code future} with {@code result}. */
    void expect(long bytes, int result, CompletableFuture<Integer> future) {
      this.expected = bytes;
      this.received = 0;
      this.result = result;
      this.pending = future;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      ByteBuf in = (ByteBuf) msg;
      received += in.readableBytes();
      in.release();
      if (pending != null && received >= expected) {
        CompletableFuture<Integer> done = pending;
        pending = null;
        done.complete(result);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      fail(ctx, "closed after " + received + " of " + expected + " bytes");
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      fail(ctx, cause.toString());
      ctx.close();
    }

    private void fail(ChannelHandlerContext ctx, String why) {
      if (pending != null) {
        CompletableFuture<Integer> done = pending;
        pending = null;
        done.completeExceptionally(new IllegalStateException(ctx.channel() + ": " + why));
      }
    }
  }
}
