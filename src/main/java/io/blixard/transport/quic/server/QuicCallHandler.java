package io.blixard.transport.quic.server;

import com.google.common.util.concurrent.MoreExecutors;
import io.blixard.transport.RefusalLog;
import io.blixard.transport.quic.QuicAttributes;
import io.blixard.transport.quic.QuicMetrics;
import io.blixard.transport.quic.QuicSendWatchdog;
import io.blixard.transport.quic.codec.CallHeader;
import io.blixard.transport.quic.codec.Frame;
import io.blixard.transport.quic.codec.FrameError;
import io.blixard.transport.quic.codec.FrameType;
import io.blixard.transport.quic.codec.Frames;
import io.blixard.transport.quic.codec.InboundBudget;
import io.grpc.Attributes;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerMethodDefinition;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.incubator.codec.quic.QuicChannel;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.incubator.codec.quic.QuicStreamResetException;
import java.util.Optional;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server end of one stream: reads its frames in order, opens the call its REQUEST names (or
 * answers a PING), feeds it, and answers every protocol violation on the stream itself
 * (docs/protocol.md §5) so that the connection and its other calls go on. A frame that comes after
 * the client said it sends no more (STREAM_END, or the REQUEST of a call with one request message)
 * is such a violation.
 */
final class QuicCallHandler extends ChannelInboundHandlerAdapter {

  private static final Logger log = LoggerFactory.getLogger(QuicCallHandler.class);
  private static final int MAX_PING_BYTES = 64;
  private static final RefusalLog overLimits =
      new RefusalLog(log, "QUIC frames over the inbound byte budget or the frame timeout");
  private static final Status SHUTTING_DOWN =
      Status.UNAVAILABLE.withDescription("the node's QUIC server is shutting down");

  private final QuicServices services;
  private final OpenCalls openCalls;
  private final QuicMetrics metrics;
  private final long firstFrameTimeoutMillis;
  private final StreamShare share;

  private QuicServerCall<?, ?> call;
  // Whether the client has said it sends no more request messages.
  private boolean requestsEnded;
  private boolean answered;
  private ScheduledFuture<?> firstFrameTimer;

  QuicCallHandler(
      QuicServices services,
      OpenCalls openCalls,
      QuicMetrics metrics,
      long firstFrameTimeoutMillis,
      StreamShare share) {
    this.services = services;
    this.share = share;
    this.openCalls = openCalls;
    this.metrics = metrics;
    this.firstFrameTimeoutMillis = firstFrameTimeoutMillis;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    metrics.streamOpened();
    QuicSendWatchdog.watch((QuicStreamChannel) ctx.channel());
    firstFrameTimer =
        ctx.executor()
            .schedule(
                () -> {
                  if (call == null && !answered) {
                    answer(
                        ctx,
                        new FrameError(
                            Status.Code.DEADLINE_EXCEEDED,
                            "no complete frame within "
                                + firstFrameTimeoutMillis
                                + " ms of opening the stream (idle-timeout)",
                            FrameError.Reason.TRUNCATED));
                  }
                },
                firstFrameTimeoutMillis,
                TimeUnit.MILLISECONDS);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof FrameError error) {
      metrics.frameRejected(error.reason());
      if (error.reason().overLimit()) {
        overLimits.refused(
            error.message()
                + " from "
                + ((QuicStreamChannel) ctx.channel()).parent().remoteSocketAddress());
      }
      answer(ctx, error);
      return;
    }
    Frame frame = (Frame) msg;
    try {
      onFrame(ctx, frame);
    } finally {
      frame.release();
    }
  }

  private void onFrame(ChannelHandlerContext ctx, Frame frame) {
    if (answered) {
      return;
    }
    if (call == null) {
      cancelTimer();
      switch (frame.type()) {
        case REQUEST -> startCall(ctx, frame);
        case PING -> pong(ctx, frame);
        default ->
            outOfOrder(
                ctx,
                "a " + frame.type() + " frame cannot open a stream (expected: REQUEST or PING)");
      }
      return;
    }
    String method = call.getMethodDescriptor().getFullMethodName();
    boolean oneRequest = call.getMethodDescriptor().getType().clientSendsOneMessage();
    switch (frame.type()) {
      case STREAM_DATA -> {
        if (oneRequest) {
          outOfOrder(ctx, "STREAM_DATA on " + method + ", which takes one request message");
        } else if (requestsEnded) {
          outOfOrder(ctx, "STREAM_DATA after STREAM_END");
        } else {
          call.inbound(frame.payload().retain());
        }
      }
      case STREAM_END -> {
        if (oneRequest) {
          outOfOrder(
              ctx,
              "STREAM_END on "
                  + method
                  + ", which takes one request message (expected: FIN after the REQUEST)");
        } else if (requestsEnded) {
          outOfOrder(ctx, "a second STREAM_END");
        } else {
          requestsEnded = true;
          call.halfClose();
        }
      }
      case CANCEL -> call.cancelledByClient();
      default ->
          outOfOrder(
              ctx,
              "a "
                  + frame.type()
                  + " frame from a client is out of order (expected: STREAM_DATA, STREAM_END or"
                  + " CANCEL)");
    }
  }

  private void pong(ChannelHandlerContext ctx, Frame ping) {
    if (ping.payload().readableBytes() > MAX_PING_BYTES) {
      answer(
          ctx,
          new FrameError(
              Status.Code.INVALID_ARGUMENT,
              "PING of "
                  + ping.payload().readableBytes()
                  + " bytes (expected: at most "
                  + MAX_PING_BYTES
                  + ")",
              FrameError.Reason.MALFORMED));
      return;
    }
    answered = true;
    ctx.channel()
        .writeAndFlush(new Frame(FrameType.PONG, ping.requestId(), ping.payload().retain()).last())
        .addListener(QuicServerCall.STOP_READING);
  }

  private void startCall(ChannelHandlerContext ctx, Frame request) {
    ByteBuf payload = request.payload();
    CallHeader header;
    try {
      header = CallHeader.readFrom(payload);
    } catch (IllegalArgumentException e) {
      metrics.frameRejected(FrameError.Reason.MALFORMED);
      answer(
          ctx,
          new FrameError(
              Status.Code.INVALID_ARGUMENT, e.getMessage(), FrameError.Reason.MALFORMED));
      return;
    }
    QuicStreamChannel stream = (QuicStreamChannel) ctx.channel();
    QuicChannel connection = stream.parent();
    String alpn =
        connection.sslEngine() == null ? null : connection.sslEngine().getApplicationProtocol();
    ServerMethodDefinition<?, ?> definition = services.method(header.method());
    if (definition == null) {
      answer(
          ctx,
          Status.UNIMPLEMENTED.withDescription(
              "method " + header.method() + " is not served over QUIC on this node"),
          request);
      return;
    }
    Attributes attributes =
        Attributes.newBuilder()
            .set(Grpc.TRANSPORT_ATTR_REMOTE_ADDR, connection.remoteSocketAddress())
            .set(Grpc.TRANSPORT_ATTR_LOCAL_ADDR, connection.localSocketAddress())
            .set(QuicAttributes.ALPN, alpn == null ? "" : alpn)
            .build();
    if (connection.sslEngine() != null) {
      // As gRPC's TLS transports do: a certificate identity reads the same on both transports.
      attributes =
          attributes.toBuilder()
              .set(Grpc.TRANSPORT_ATTR_SSL_SESSION, connection.sslEngine().getSession())
              .build();
    }
    Optional<io.blixard.node.NodeId> peer = QuicAttributes.peerNodeId(connection);
    if (peer.isPresent()) {
      attributes = attributes.toBuilder().set(QuicAttributes.PEER_NODE_ID, peer.get()).build();
    }
    // Chosen by the decoder already when the REQUEST came in more than one piece.
    InboundBudget budget = share.forMethod(header.method());
    QuicServerCall<?, ?> opened =
        open(
            stream,
            request,
            header,
            definition,
            attributes,
            services.handlerExecutor(share.raftCall()),
            budget,
            firstFrameTimeoutMillis);
    if (!openCalls.enter(opened)) {
      answered = true;
      opened.abort(SHUTTING_DOWN);
      return;
    }
    call = opened;
    try {
      start(opened, request, header, definition);
    } catch (RejectedExecutionException e) {
      call.abort(SHUTTING_DOWN);
    }
  }

  private static <ReqT, RespT> QuicServerCall<ReqT, RespT> open(
      QuicStreamChannel stream,
      Frame request,
      CallHeader header,
      ServerMethodDefinition<ReqT, RespT> definition,
      Attributes attributes,
      java.util.concurrent.Executor handlers,
      InboundBudget budget,
      long clientEndWaitMillis) {
    return new QuicServerCall<>(
        stream,
        request.requestId(),
        definition.getMethodDescriptor(),
        MoreExecutors.newSequentialExecutor(handlers),
        attributes,
        header.timeoutMillis(),
        budget,
        clientEndWaitMillis);
  }

  @SuppressWarnings("unchecked")
  private static <ReqT, RespT> void start(
      QuicServerCall<?, ?> call,
      Frame request,
      CallHeader header,
      ServerMethodDefinition<ReqT, RespT> definition) {
    QuicServerCall<ReqT, RespT> started = (QuicServerCall<ReqT, RespT>) call;
    Metadata metadata = new Metadata();
    header
        .metadata()
        .forEach(
            (key, value) -> {
              if (!key.endsWith(Metadata.BINARY_HEADER_SUFFIX) && !key.startsWith(":")) {
                try {
                  metadata.put(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER), value);
                } catch (IllegalArgumentException e) {
                  log.debug("Dropping metadata entry {} of a QUIC call", key, e);
                }
              }
            });
    started.start(definition.getServerCallHandler(), metadata);
    ByteBuf payload = request.payload();
    boolean clientStreams = !definition.getMethodDescriptor().getType().clientSendsOneMessage();
    if (!clientStreams || payload.isReadable()) {
      started.inbound(payload.retain());
    }
    if (!clientStreams) {
      started.halfClose();
    }
  }

  private void outOfOrder(ChannelHandlerContext ctx, String message) {
    metrics.frameRejected(FrameError.Reason.ORDER);
    answer(ctx, new FrameError(Status.Code.INVALID_ARGUMENT, message, FrameError.Reason.ORDER));
  }

  private void answer(ChannelHandlerContext ctx, FrameError error) {
    if (answered) {
      return;
    }
    if (call != null) {
      answered = true;
      call.abort(error.toStatus());
    } else {
      answer(ctx, error.toStatus(), null);
    }
    if (error.reason() == FrameError.Reason.OVERSIZED || error.reason().overLimit()) {
      // Tell the peer to stop sending the payload we will never read.
      ((QuicStreamChannel) ctx.channel()).shutdownInput(Status.Code.RESOURCE_EXHAUSTED.value());
    }
  }

  private void answer(ChannelHandlerContext ctx, Status status, Frame request) {
    if (answered) {
      return;
    }
    answered = true;
    cancelTimer();
    if (request != null) {
      // A client that sent a REQUEST ends its side once it has read the answer (an unknown
      // method): read on to that end, as for a call, so that QUIC retires the stream.
      QuicServerCall.writeEndAndAwaitClient(
          (QuicStreamChannel) ctx.channel(),
          Frames.status(ctx.alloc(), request.requestId(), status),
          firstFrameTimeoutMillis,
          "a call to an unknown method");
      return;
    }
    ctx.channel()
        .writeAndFlush(Frames.status(ctx.alloc(), new java.util.UUID(0, 0), status).last())
        .addListener(QuicServerCall.STOP_READING);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof ChannelInputShutdownEvent) {
      if (call != null) {
        // FIN without STREAM_END ends the client's messages too.
        requestsEnded = true;
        call.halfClose();
      } else if (!answered) {
        answer(
            ctx,
            Status.INVALID_ARGUMENT.withDescription(
                "the stream ended before a REQUEST or PING frame"),
            null);
      }
    }
    ctx.fireUserEventTriggered(event);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (call != null) {
      call.writabilityChanged();
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    cancelTimer();
    metrics.streamClosed();
    if (call != null) {
      call.transportClosed();
      openCalls.exit(call);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (cause instanceof QuicStreamResetException) {
      log.debug("The client reset a stream", cause);
    } else {
      log.debug("A QUIC stream failed", cause);
    }
    if (call != null) {
      call.transportClosed();
    }
    ctx.close();
  }

  private void cancelTimer() {
    if (firstFrameTimer != null) {
      firstFrameTimer.cancel(false);
      firstFrameTimer = null;
    }
  }
}
