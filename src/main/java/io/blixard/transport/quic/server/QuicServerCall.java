package io.blixard.transport.quic.server;

import io.blixard.rpc.UndecodableRequests;
import io.blixard.transport.Transport;
import io.blixard.transport.quic.InboundMessages;
import io.blixard.transport.quic.codec.Frame;
import io.blixard.transport.quic.codec.FrameType;
import io.blixard.transport.quic.codec.Frames;
import io.blixard.transport.quic.codec.InboundBudget;
import io.grpc.Attributes;
import io.grpc.Context;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufInputStream;
import io.netty.channel.ChannelFutureListener;
import io.netty.incubator.codec.quic.QuicStreamChannel;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One call on one QUIC stream, seen by a gRPC {@link ServerCallHandler}: the bridge that lets the
 * node's service definitions, with their interceptors, run on QUIC unchanged. Listener callbacks
 * run one at a time on the handler executor, in the call's {@link Context} (deadline,
 * cancellation); messages go out as frames.
 */
final class QuicServerCall<ReqT, RespT> extends ServerCall<ReqT, RespT> {

  private static final Logger log = LoggerFactory.getLogger(QuicServerCall.class);
  private static final UndecodableRequests UNDECODABLE = new UndecodableRequests(Transport.QUIC);

  /**
   * For a stream the server answers without a call (a PONG, an error to a bad first frame): once
   * the server's last frame is out, whatever else the client sends is of no use: ask it to stop
   * (STOP_SENDING, code 0) unless its side has ended already, and close the stream channel. A
   * closed stream channel reads nothing more, so should the client's side end only later, QUIC
   * keeps the stream (and its credit) until the connection closes; a call's stream therefore waits
   * for the client's end instead ({@link #writeEnd}), and is stopped this way only when that does
   * not come.
   */
  static final ChannelFutureListener STOP_READING =
      f -> stopReading((QuicStreamChannel) f.channel(), f.isSuccess());

  private static void stopReading(QuicStreamChannel stream, boolean lastFrameOut) {
    if (!lastFrameOut) {
      // Nothing more will go out (the stream was stopped or reset, or the connection is gone):
      // forget the stream rather than wait for a FIN that may not come.
      stream.close();
      return;
    }
    if (!stream.isInputShutdown() && stream.isActive()) {
      // Closing after the FIN went out does not reset the stream: QUIC still delivers (and
      // retransmits) what was written; the channel is only forgotten.
      stream.shutdownInput(0).addListener(c -> stream.close());
    }
  }

  private final QuicStreamChannel channel;
  private final long clientEndWaitMillis;
  private final UUID requestId;
  private final MethodDescriptor<ReqT, RespT> method;
  private final Executor serial;
  private final Attributes attributes;
  private final Context.CancellableContext context;
  private final long timeoutMillis;
  private final InboundMessages inbound;

  // Guarded by this: once closed, no frame of the handler's goes out, and none waits.
  private boolean closed;
  private Frame pendingResponse;
  private volatile boolean cancelled;
  private volatile Listener<ReqT> listener;

  QuicServerCall(
      QuicStreamChannel channel,
      UUID requestId,
      MethodDescriptor<ReqT, RespT> method,
      Executor serial,
      Attributes attributes,
      long timeoutMillis,
      InboundBudget budget,
      long clientEndWaitMillis) {
    this.channel = channel;
    this.clientEndWaitMillis = clientEndWaitMillis;
    this.requestId = requestId;
    this.method = method;
    this.serial = serial;
    this.inbound = new InboundMessages(serial, new Requests(), budget);
    inbound.attach(channel);
    this.attributes = attributes;
    this.timeoutMillis = timeoutMillis;
    this.context =
        timeoutMillis > 0
            ? Context.ROOT.withDeadlineAfter(
                timeoutMillis, TimeUnit.MILLISECONDS, channel.eventLoop())
            : Context.ROOT.withCancellation();
    context.addListener(c -> onContextCancelled(), Runnable::run);
  }

  /** Starts the handler; messages and the half-close follow through {@link #inbound}. */
  void start(ServerCallHandler<ReqT, RespT> handler, Metadata headers) {
    serial.execute(
        () ->
            run(
                () -> {
                  listener = handler.startCall(this, headers);
                  if (isReady()) {
                    listener.onReady();
                  }
                }));
  }

  // ---- inbound, from the stream's event loop

  void inbound(ByteBuf message) {
    inbound.add(message);
  }

  void halfClose() {
    inbound.end();
  }

  void cancelledByClient() {
    abort(Status.CANCELLED.withDescription("the client cancelled the call"));
  }

  /** The stream was reset or the connection went away: nobody is left to answer. */
  void transportClosed() {
    if (markClosed()) {
      cancelled = true;
      context.cancel(Status.CANCELLED.withDescription("the stream closed").asRuntimeException());
      notifyListener(false);
    }
  }

  void writabilityChanged() {
    if (isReady()) {
      serial.execute(
          () -> {
            Listener<ReqT> current = listener;
            if (current != null && !isClosed()) {
              run(current::onReady);
            }
          });
    }
  }

  /** Ends the call with an error the server chose (bad input, deadline, cancel, shutdown). */
  void abort(Status status) {
    if (markClosed()) {
      cancelled = true;
      writeEnd(Frames.status(channel.alloc(), requestId, status));
      context.cancel(status.asRuntimeException());
      notifyListener(false);
    }
  }

  /**
   * Closes the call for good: nothing queued is delivered, a response held back is released. False
   * if it was closed already.
   */
  private boolean markClosed() {
    Frame response;
    synchronized (this) {
      if (closed) {
        return false;
      }
      closed = true;
      response = pendingResponse;
      pendingResponse = null;
    }
    inbound.discard();
    if (response != null) {
      response.release();
    }
    return true;
  }

  private synchronized boolean isClosed() {
    return closed;
  }

  private void onContextCancelled() {
    if (!isClosed()
        && timeoutMillis > 0
        && context.getDeadline() != null
        && context.getDeadline().isExpired()) {
      abort(
          Status.DEADLINE_EXCEEDED.withDescription(
              "deadline of " + timeoutMillis + " ms exceeded on the server"));
    }
  }

  /** The client's messages and half-close, as the handler asks for them. */
  private final class Requests implements InboundMessages.Sink {

    @Override
    public void onMessage(ByteBuf message) {
      ReqT request;
      try (ByteBufInputStream in = new ByteBufInputStream(message, true)) {
        request = method.parseRequest(in);
      } catch (Exception | Error e) {
        // The same answer and the same log line as over gRPC (UndecodableRequestGuard).
        UNDECODABLE.refused(method, e);
        abort(UndecodableRequests.status(method, e));
        return;
      }
      Listener<ReqT> current = listener;
      if (current != null) {
        run(() -> current.onMessage(request));
      }
    }

    @Override
    public void onEnd() {
      Listener<ReqT> current = listener;
      if (current != null) {
        run(current::onHalfClose);
      }
    }
  }

  private void run(Runnable callback) {
    try {
      context.run(callback);
    } catch (RuntimeException | Error e) {
      log.warn("The handler of {} failed", method.getFullMethodName(), e);
      abort(Status.UNKNOWN.withDescription("Application error processing RPC").withCause(e));
    }
  }

  private void notifyListener(boolean complete) {
    try {
      serial.execute(
          () -> {
            Listener<ReqT> current = listener;
            if (current != null) {
              try {
                context.run(complete ? current::onComplete : current::onCancel);
              } catch (RuntimeException | Error e) {
                log.debug("A listener failed on completion of {}", method.getFullMethodName(), e);
              }
            }
          });
    } catch (RejectedExecutionException e) {
      // The server has stopped, after its grace period and the cancellation of what was open:
      // a stream that closes only now has no handler left to tell.
      log.debug("No handler thread left to end {}", method.getFullMethodName());
    }
  }

  private void writeEnd(Frame frame) {
    writeEndAndAwaitClient(channel, frame, clientEndWaitMillis, method.getFullMethodName());
  }

  /**
   * Writes the last frame of a stream that carried a REQUEST, FIN with it. The stream is finished,
   * and QUIC gives its credit back to the client, once the client's side has ended too: the client
   * ends it with a CANCEL and FIN as soon as it has read this frame, so the stream goes on reading
   * (and dropping) what comes until then. Were it closed or stopped now, the client's end, arriving
   * later, would be taken in by the QUIC library with nobody reading it, and the stream never
   * retired. A client that has not ended its side within {@code waitMillis} is asked to stop, and
   * the stream forgotten.
   */
  static void writeEndAndAwaitClient(
      QuicStreamChannel channel, Frame last, long waitMillis, String method) {
    channel
        .writeAndFlush(last.last())
        .addListener(
            f -> {
              if (!f.isSuccess()) {
                stopReading(channel, false);
                return;
              }
              if (!channel.isActive()) {
                return;
              }
              // Should the client's side have ended already, the library closes the stream now,
              // and the timer with it.
              ScheduledFuture<?> giveUp =
                  channel
                      .eventLoop()
                      .schedule(
                          () -> {
                            if (!channel.isActive()) {
                              return;
                            }
                            log.debug(
                                "The client of {} did not end its side of the stream within {} ms"
                                    + " of the answer",
                                method,
                                waitMillis);
                            if (channel.isInputShutdown()) {
                              channel.close();
                            } else {
                              channel.shutdownInput(0).addListener(c -> channel.close());
                            }
                          },
                          waitMillis,
                          TimeUnit.MILLISECONDS);
              channel.closeFuture().addListener(c -> giveUp.cancel(false));
            });
  }

  // ---- ServerCall, called by the handler

  @Override
  public void request(int numMessages) {
    inbound.request(numMessages);
  }

  @Override
  public void sendHeaders(Metadata headers) {
    // QUIC calls carry no response headers.
  }

  @Override
  public void sendMessage(RespT message) {
    FrameType type =
        method.getType().serverSendsOneMessage() ? FrameType.RESPONSE : FrameType.STREAM_DATA;
    Frame frame = Frames.message(channel.alloc(), type, requestId, method.streamResponse(message));
    synchronized (this) {
      // Checked under the lock abort() closes with, so a response racing a deadline or CANCEL is
      // either held (and released by abort) or released here, never left behind.
      if (closed) {
        frame.release();
        if (cancelled) {
          return;
        }
        throw new IllegalStateException("call is closed");
      }
      if (type == FrameType.RESPONSE) {
        if (pendingResponse != null) {
          frame.release();
          throw new IllegalStateException(
              "a second response to " + method.getFullMethodName() + " (expected: one)");
        }
        pendingResponse = frame;
        return;
      }
    }
    // A write that loses the race with the ERROR frame of an abort fails, and Netty releases it.
    channel.writeAndFlush(frame);
  }

  @Override
  public void close(Status status, Metadata trailers) {
    Frame response;
    synchronized (this) {
      if (closed) {
        return;
      }
      closed = true;
      response = pendingResponse;
      pendingResponse = null;
    }
    inbound.discard();
    if (status.isOk() && response != null) {
      writeEnd(response);
    } else {
      if (response != null) {
        response.release();
      }
      if (status.isOk() && method.getType().serverSendsOneMessage()) {
        status =
            Status.INTERNAL.withDescription(
                "the handler of " + method.getFullMethodName() + " completed without a response");
      }
      writeEnd(Frames.status(channel.alloc(), requestId, status));
    }
    context.cancel(null);
    notifyListener(true);
  }

  @Override
  public boolean isReady() {
    return !isClosed() && channel.isWritable();
  }

  @Override
  public boolean isCancelled() {
    return cancelled;
  }

  @Override
  public MethodDescriptor<ReqT, RespT> getMethodDescriptor() {
    return method;
  }

  @Override
  public Attributes getAttributes() {
    return attributes;
  }

  @Override
  public SecurityLevel getSecurityLevel() {
    return SecurityLevel.PRIVACY_AND_INTEGRITY;
  }

  @Override
  public String getAuthority() {
    return null;
  }
}
