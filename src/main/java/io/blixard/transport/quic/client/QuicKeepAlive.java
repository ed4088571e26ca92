package io.blixard.transport.quic.client;

import io.blixard.transport.quic.codec.Frame;
import io.blixard.transport.quic.codec.FrameType;
import io.blixard.transport.quic.codec.Frames;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.util.concurrent.TimeUnit;
import java.util.function.BiFunction;

/**
 * The liveness probe of one connection: a PING frame on a stream of its own (docs/protocol.md §3),
 * at most once per interval, with or without calls open — a slow handler or a quiet stream sends
 * nothing of its own. The traffic keeps the connection from the QUIC idle timeout; a PONG that does
 * not come back in time closes the connection, so a peer that is gone is noticed.
 */
final class QuicKeepAlive {

  private final QuicChannel quic;
  private final BiFunction<ChannelHandler, Promise<QuicStreamChannel>, Future<QuicStreamChannel>>
      streams;
  private volatile long lastPingNanos = System.nanoTime();
  // The probe still waiting for stream credit, if any: no second one queues behind it.
  private volatile Future<QuicStreamChannel> opening;

  /**
   * @param streams opens a stream of the connection whose decoded frames go to the handler
   */
  QuicKeepAlive(
      QuicChannel quic,
      BiFunction<ChannelHandler, Promise<QuicStreamChannel>, Future<QuicStreamChannel>> streams) {
    this.quic = quic;
    this.streams = streams;
  }

  /**
   * Sends a PING unless one went out less than {@code intervalNanos} ago; closes the connection
   * when its PONG does not come back within {@code timeoutMillis}.
   */
  void probe(long intervalNanos, long timeoutMillis) {
    long now = System.nanoTime();
    Future<QuicStreamChannel> previous = opening;
    if (now - lastPingNanos < intervalNanos || (previous != null && !previous.isDone())) {
      return;
    }
    lastPingNanos = now;
    Promise<QuicStreamChannel> promise = quic.eventLoop().newPromise();
    opening = promise;
    streams.apply(
        new ChannelInboundHandlerAdapter() {
          @Override
          public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Frame frame) {
              frame.release();
            }
            ctx.close();
          }
        },
        promise);
    promise.addListener(
        f -> {
          if (!f.isSuccess()) {
            return;
          }
          QuicStreamChannel stream = (QuicStreamChannel) f.getNow();
          var timeout =
              stream
                  .eventLoop()
                  .schedule(
                      () -> {
                        if (stream.isActive()) {
                          quic.close();
                        }
                      },
                      timeoutMillis,
                      TimeUnit.MILLISECONDS);
          stream.closeFuture().addListener(c -> timeout.cancel(false));
          stream.writeAndFlush(
              new Frame(
                      FrameType.PING, Frames.newRequestId(), Unpooled.wrappedBuffer(new byte[] {1}))
                  .last());
        });
  }
}
