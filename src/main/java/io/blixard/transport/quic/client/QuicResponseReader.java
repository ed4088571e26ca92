package io.blixard.transport.quic.client;

import io.blixard.transport.quic.QuicMetrics;
import io.blixard.transport.quic.codec.Frame;
import io.blixard.transport.quic.codec.FrameError;
import io.blixard.transport.quic.codec.StatusPayload;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.incubator.codec.quic.QuicStreamResetException;
import java.util.UUID;

/**
 * The client end of one call's stream: reads the server's frames in order and turns them into the
 * call's events (a message, the status that ends it, room to write); a frame out of order ends the
 * call with INTERNAL.
 */
final class QuicResponseReader extends ChannelInboundHandlerAdapter {

  /** What the reader tells its call. */
  interface Call {

    /** The stream is set up; its reading is the call's to hold back. */
    void attached(QuicStreamChannel stream);

    /** A response message, whose buffer the call now owns. */
    void message(ByteBuf message);

    /** The server ended the call (or the stream broke) with this status. */
    void closed(Status status);

    /** The stream can take more writes. */
    void writable();
  }

  private final Call call;
  private final MethodDescriptor<?, ?> method;
  private final String target;
  private final QuicMetrics metrics;
  private final QuicCallStream stream;
  private final UUID requestId;

  QuicResponseReader(
      Call call,
      MethodDescriptor<?, ?> method,
      String target,
      QuicMetrics metrics,
      QuicCallStream stream,
      UUID requestId) {
    this.call = call;
    this.method = method;
    this.target = target;
    this.metrics = metrics;
    this.stream = stream;
    this.requestId = requestId;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    call.attached((QuicStreamChannel) ctx.channel());
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FrameError error) {
      metrics.frameRejected(error.reason());
      violation(ctx, "the server sent a bad frame: " + error.message());
      return;
    }
    Frame frame = (Frame) msg;
    try {
      boolean oneResponse = method.getType().serverSendsOneMessage();
      switch (frame.type()) {
        case RESPONSE -> {
          if (!oneResponse) {
            violation(ctx, "RESPONSE on a call whose responses come as STREAM_DATA");
            return;
          }
          call.message(frame.payload().retain());
          call.closed(Status.OK);
          finishOutput(ctx);
        }
        case STREAM_DATA -> {
          if (oneResponse) {
            violation(ctx, "STREAM_DATA on a call with one response");
            return;
          }
          call.message(frame.payload().retain());
        }
        case STREAM_END, ERROR -> {
          call.closed(StatusPayload.readFrom(frame.payload()));
          finishOutput(ctx);
        }
        default -> violation(ctx, "a " + frame.type() + " frame from the server is out of order");
      }
    } finally {
      frame.release();
    }
  }

  private void violation(ChannelHandlerContext ctx, String message) {
    metrics.frameRejected(FrameError.Reason.ORDER);
    call.closed(Status.INTERNAL.withDescription(message));
    ctx.close();
  }

  private void finishOutput(ChannelHandlerContext ctx) {
    // The call is over: end our side too, so the stream (and its slot) is released.
    stream.finish((QuicStreamChannel) ctx.channel(), requestId);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      call.closed(
          Status.INTERNAL.withDescription(
              "the server ended the stream of "
                  + method.getFullMethodName()
                  + " without a status"));
      finishOutput(ctx);
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      call.writable();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Channel connection = ctx.channel().parent();
    call.closed(
        Status.UNAVAILABLE.withDescription(
            "the QUIC stream to "
                + target
                + " closed before the call completed"
                + (connection == null
                    ? ""
                    : QuicConnection.closedByPeer(connection).map(why -> ": " + why).orElse(""))));
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    String what =
        cause instanceof QuicStreamResetException
            ? "the server reset the stream"
            : "the QUIC stream failed: " + cause;
    call.closed(Status.UNAVAILABLE.withDescription(what).withCause(cause));
    ctx.close();
  }
}
