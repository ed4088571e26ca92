package io.blixard.transport.quic.client;

import io.blixard.node.NodeAddress;
import io.blixard.rpc.ServiceNames;
import io.blixard.transport.Transport;
import io.blixard.transport.quic.SerialExecutor;
import io.blixard.transport.quic.codec.CallHeader;
import io.blixard.transport.quic.codec.Frame;
import io.blixard.transport.quic.codec.FrameError;
import io.blixard.transport.quic.codec.FrameType;
import io.blixard.transport.quic.codec.Frames;
import io.blixard.transport.quic.codec.StatusPayload;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.micrometer.core.instrument.Timer;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import io.netty.incubator.codec.quic.QuicStreamResetException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * One call over QUIC as a gRPC {@link ClientCall}: a stream of its own on the pooled connection,
 * the call header with its deadline, messages as frames (docs/protocol.md §4), and the listener
 * called one callback at a time on the call's executor.
 */
final class QuicClientCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {

  private static final String METRIC = "blixard.rpc.client";

  private final QuicConnectionPool pool;
  private final NodeAddress target;
  private final MethodDescriptor<ReqT, RespT> method;
  private final CallOptions callOptions;
  private final UUID requestId = Frames.newRequestId();
  private final SerialExecutor serial;
  private final boolean oneRequest;
  private final boolean unary;

  private final Object lock = new Object();
  private QuicStreamChannel stream;
  private List<Consumer<QuicStreamChannel>> pendingOps = new ArrayList<>();
  private boolean outputShut;

  private final ArrayDeque<ByteBuf> inbound = new ArrayDeque<>();
  private int requested;
  private Status pendingClose;
  private boolean closeDelivered;
  private boolean locallyClosed;

  private volatile Listener<RespT> listener;
  private Metadata headers;
  private long timeoutMillis;
  private ReqT firstMessage;
  private boolean hasFirstMessage;
  private ScheduledFuture<?> deadlineTimer;
  private Timer.Sample sample;
  private Context.CancellationListener contextListener;
  private Context context;

  QuicClientCall(
      QuicConnectionPool pool,
      NodeAddress target,
      MethodDescriptor<ReqT, RespT> method,
      CallOptions callOptions) {
    this.pool = pool;
    this.target = target;
    this.method = method;
    this.callOptions = callOptions;
    this.serial =
        new SerialExecutor(
            callOptions.getExecutor() != null
                ? callOptions.getExecutor()
                : pool.callbackExecutor());
    this.oneRequest = method.getType().clientSendsOneMessage();
    this.unary = oneRequest && method.getType().serverSendsOneMessage();
  }

  @Override
  public void start(Listener<RespT> responseListener, Metadata headers) {
    this.listener = responseListener;
    this.headers = headers;
    this.sample = Timer.start(pool.registry());
    Deadline deadline = effectiveDeadline();
    if (deadline != null) {
      long remaining = deadline.timeRemaining(TimeUnit.MILLISECONDS);
      if (remaining <= 0) {
        closeLocally(
            Status.DEADLINE_EXCEEDED.withDescription(
                "the deadline passed before the call to " + method.getFullMethodName() + " began"));
        return;
      }
      timeoutMillis = remaining;
      deadlineTimer =
          pool.callbackScheduler()
              .schedule(
                  () ->
                      abort(
                          Status.DEADLINE_EXCEEDED.withDescription(
                              "deadline of " + timeoutMillis + " ms exceeded")),
                  remaining,
                  TimeUnit.MILLISECONDS);
    }
    context = Context.current();
    contextListener =
        c -> {
          Throwable cause = c.cancellationCause();
          Status status = Status.fromThrowable(cause == null ? new Exception() : cause);
          abort(
              status.getCode() == Status.Code.DEADLINE_EXCEEDED
                  ? status
                  : Status.CANCELLED
                      .withDescription("the caller's context was cancelled")
                      .withCause(cause));
        };
    context.addListener(contextListener, Runnable::run);
    if (!oneRequest) {
      submit(s -> s.writeAndFlush(Frames.request(s.alloc(), requestId, header(), null)));
      open();
    }
    // A call with one request opens its stream at halfClose, with the request already queued, so
    // that opening the stream and writing the request (with FIN for a unary call) is one task on
    // the connection's event loop.
  }

  /** Opens the call's stream; the writes queued so far run on it as soon as it is open. */
  private void open() {
    synchronized (lock) {
      if (locallyClosed) {
        return;
      }
    }
    pool.connection(target)
        .whenComplete(
            (connection, error) -> {
              if (error != null) {
                closeLocally(statusOf(error));
              } else {
                connection
                    .openStream(new ResponseHandler())
                    .addListener(
                        f -> {
                          if (f.isSuccess()) {
                            onStream((QuicStreamChannel) f.getNow());
                          } else {
                            closeLocally(
                                Status.UNAVAILABLE
                                    .withDescription(
                                        "cannot open a QUIC stream to " + target + ": " + f.cause())
                                    .withCause(f.cause()));
                          }
                        });
              }
            });
  }

  private Deadline effectiveDeadline() {
    Deadline a = callOptions.getDeadline();
    Deadline b = Context.current().getDeadline();
    if (a == null) {
      return b;
    }
    return b == null ? a : a.minimum(b);
  }

  private CallHeader header() {
    Map<String, String> metadata = new HashMap<>();
    if (headers != null) {
      for (String key : headers.keys()) {
        if (!key.endsWith(Metadata.BINARY_HEADER_SUFFIX)) {
          String value = headers.get(Metadata.Key.of(key, Metadata.ASCII_STRING_MARSHALLER));
          if (value != null) {
            metadata.put(key, value);
          }
        }
      }
    }
    return new CallHeader(method.getFullMethodName(), timeoutMillis, metadata);
  }

  private static Status statusOf(Throwable error) {
    Throwable cause =
        error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    Status status = Status.fromThrowable(cause);
    return status.getCode() == Status.Code.UNKNOWN
        ? Status.UNAVAILABLE.withDescription(String.valueOf(cause)).withCause(cause)
        : status;
  }

  private void onStream(QuicStreamChannel s) {
    List<Consumer<QuicStreamChannel>> ops;
    synchronized (lock) {
      if (locallyClosed) {
        s.close();
        return;
      }
      stream = s;
      ops = pendingOps;
      pendingOps = null;
    }
    for (Consumer<QuicStreamChannel> op : ops) {
      op.accept(s);
    }
    if (!oneRequest) {
      serial.execute(
          () -> {
            if (!isClosed()) {
              listener.onReady();
            }
          });
    }
  }

  private void submit(Consumer<QuicStreamChannel> op) {
    QuicStreamChannel s;
    synchronized (lock) {
      if (locallyClosed) {
        return;
      }
      if (stream == null) {
        pendingOps.add(op);
        return;
      }
      s = stream;
    }
    op.accept(s);
  }

  // ---- ClientCall

  @Override
  public void request(int numMessages) {
    synchronized (inbound) {
      requested += numMessages;
    }
    serial.execute(this::deliver);
  }

  @Override
  public void sendMessage(ReqT message) {
    if (oneRequest) {
      synchronized (lock) {
        if (hasFirstMessage) {
          throw new IllegalStateException(
              method.getFullMethodName() + " takes one request message (expected: one)");
        }
        firstMessage = message;
        hasFirstMessage = true;
      }
      return;
    }
    submit(
        s ->
            s.writeAndFlush(
                Frames.message(
                    s.alloc(), FrameType.STREAM_DATA, requestId, method.streamRequest(message))));
  }

  @Override
  public void halfClose() {
    if (oneRequest) {
      ReqT message;
      synchronized (lock) {
        message = firstMessage;
        firstMessage = null;
      }
      submit(
          s -> {
            Frame request =
                Frames.request(s.alloc(), requestId, header(), method.streamRequest(message));
            // A unary call ends its side with the request; a server-streaming call keeps it open
            // until the end, so that a CANCEL frame can follow.
            if (unary) {
              writeLast(s, request);
            } else {
              s.writeAndFlush(request);
            }
          });
      open();
    } else {
      submit(s -> writeLast(s, Frames.empty(s.alloc(), FrameType.STREAM_END, requestId)));
    }
  }

  /** Writes this side's last frame, FIN with it, unless this side has ended already. */
  private void writeLast(QuicStreamChannel s, Frame frame) {
    synchronized (lock) {
      if (outputShut) {
        frame.release();
        return;
      }
      outputShut = true;
    }
    s.writeAndFlush(frame.last());
  }

  private void shutOutput(QuicStreamChannel s) {
    synchronized (lock) {
      if (outputShut) {
        return;
      }
      outputShut = true;
    }
    s.shutdownOutput();
  }

  @Override
  public void cancel(String message, Throwable cause) {
    if (message == null && cause == null) {
      message = "the call was cancelled";
    }
    Status status = Status.CANCELLED;
    if (message != null) {
      status = status.withDescription(message);
    }
    if (cause != null) {
      status = status.withCause(cause);
    }
    abort(status);
  }

  /** Ends the call from this side and tells the server to stop. */
  private void abort(Status status) {
    if (!closeLocally(status)) {
      return;
    }
    QuicStreamChannel s;
    boolean canWrite;
    synchronized (lock) {
      s = stream;
      canWrite = !outputShut;
      outputShut = true;
    }
    if (s == null) {
      return;
    }
    if (canWrite) {
      s.writeAndFlush(Frames.empty(s.alloc(), FrameType.CANCEL, requestId).last());
    } else {
      // Our side is finished already (FIN went with the request): forget the stream. The server
      // runs the handler to its end (or its deadline) and its answer is dropped here.
      s.close();
    }
  }

  @Override
  public boolean isReady() {
    synchronized (lock) {
      return stream != null && !locallyClosed && stream.isWritable();
    }
  }

  // ---- delivery

  private boolean isClosed() {
    synchronized (inbound) {
      return closeDelivered || locallyClosed;
    }
  }

  /** Closes the listener with a status of this side's making; false if it was closed already. */
  private boolean closeLocally(Status status) {
    synchronized (inbound) {
      if (closeDelivered || locallyClosed) {
        return false;
      }
      locallyClosed = true;
      pendingClose = status;
      ByteBuf message;
      while ((message = inbound.poll()) != null) {
        message.release();
      }
    }
    synchronized (lock) {
      locallyClosed = true;
      pendingOps = null;
    }
    serial.execute(this::deliver);
    return true;
  }

  private void fromServer(ByteBuf message) {
    synchronized (inbound) {
      if (pendingClose != null) {
        message.release();
        return;
      }
      inbound.add(message);
    }
    serial.execute(this::deliver);
  }

  private void closedByServer(Status status) {
    synchronized (inbound) {
      if (pendingClose != null) {
        return;
      }
      pendingClose = status;
    }
    serial.execute(this::deliver);
  }

  private void deliver() {
    while (true) {
      ByteBuf message = null;
      Status close = null;
      synchronized (inbound) {
        if (closeDelivered) {
          return;
        }
        if (!locallyClosed && requested > 0 && !inbound.isEmpty()) {
          requested--;
          message = inbound.poll();
        } else if (pendingClose != null && (inbound.isEmpty() || locallyClosed)) {
          closeDelivered = true;
          close = pendingClose;
        } else {
          return;
        }
      }
      if (message != null) {
        RespT response;
        try (ByteBufInputStream in = new ByteBufInputStream(message, true)) {
          response = method.parseResponse(in);
        } catch (Exception | Error e) {
          abort(
              Status.INTERNAL.withDescription(
                  "cannot parse the response of " + method.getFullMethodName() + ": " + e));
          continue;
        }
        try {
          listener.onMessage(response);
        } catch (RuntimeException e) {
          abort(Status.CANCELLED.withDescription("the response listener failed").withCause(e));
        }
        continue;
      }
      finish(close);
      return;
    }
  }

  private void finish(Status status) {
    if (deadlineTimer != null) {
      deadlineTimer.cancel(false);
    }
    if (context != null && contextListener != null) {
      context.removeListener(contextListener);
    }
    if (sample != null) {
      sample.stop(
          Timer.builder(METRIC)
              .description("Calls made by this client, per transport, service, method and status")
              .tag("transport", Transport.QUIC.tag())
              .tag("service", ServiceNames.label(method.getServiceName()))
              .tag("method", method.getBareMethodName() == null ? "" : method.getBareMethodName())
              .tag("status", status.getCode().name())
              .register(pool.registry()));
    }
    listener.onClose(status, new Metadata());
  }

  /** The client end of the call's stream. */
  private final class ResponseHandler extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (msg instanceof FrameError error) {
        pool.metrics().frameRejected(error.reason());
        violation(ctx, "the server sent a bad frame: " + error.message());
        return;
      }
      Frame frame = (Frame) msg;
      try {
        switch (frame.type()) {
          case RESPONSE -> {
            if (!method.getType().serverSendsOneMessage()) {
              violation(ctx, "RESPONSE on a call whose responses come as STREAM_DATA");
              return;
            }
            fromServer(frame.payload().retain());
            closedByServer(Status.OK);
          }
          case STREAM_DATA -> {
            if (method.getType().serverSendsOneMessage()) {
              violation(ctx, "STREAM_DATA on a call with one response");
              return;
            }
            fromServer(frame.payload().retain());
          }
          case STREAM_END, ERROR -> {
            closedByServer(StatusPayload.readFrom(frame.payload()));
            finishOutput(ctx);
          }
          default -> violation(ctx, "a " + frame.type() + " frame from the server is out of order");
        }
      } finally {
        frame.release();
      }
    }

    private void violation(ChannelHandlerContext ctx, String message) {
      pool.metrics().frameRejected(FrameError.Reason.ORDER);
      closedByServer(Status.INTERNAL.withDescription(message));
      ctx.close();
    }

    private void finishOutput(ChannelHandlerContext ctx) {
      // The call is over: end our side too, so the stream (and its slot) is released.
      shutOutput((QuicStreamChannel) ctx.channel());
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof ChannelInputShutdownEvent) {
        closedByServer(
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
        serial.execute(
            () -> {
              if (!isClosed()) {
                listener.onReady();
              }
            });
      }
      ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      closedByServer(
          Status.UNAVAILABLE.withDescription(
              "the QUIC stream to " + target + " closed before the call completed"));
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      String what =
          cause instanceof QuicStreamResetException
              ? "the server reset the stream"
              : "the QUIC stream failed: " + cause;
      closedByServer(Status.UNAVAILABLE.withDescription(what).withCause(cause));
      ctx.close();
    }
  }
}
