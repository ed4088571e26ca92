package io.blixard.transport.quic.client;

import com.google.common.util.concurrent.MoreExecutors;
import io.blixard.node.NodeAddress;
import io.blixard.rpc.RpcLatencyBuckets;
import io.blixard.rpc.ServiceNames;
import io.blixard.transport.Transport;
import io.blixard.transport.quic.InboundMessages;
import io.blixard.transport.quic.codec.CallHeader;
import io.blixard.transport.quic.codec.FrameType;
import io.blixard.transport.quic.codec.Frames;
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
import io.netty.incubator.codec.quic.QuicStreamChannel;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One call over QUIC as a gRPC {@link ClientCall}: a stream of its own on the pooled connection,
 * the call header with its deadline, messages as frames (docs/protocol.md §4), responses handed to
 * the listener only as it asks for them, one callback at a time on the call's executor.
 */
final class QuicClientCall<ReqT, RespT> extends ClientCall<ReqT, RespT>
    implements QuicResponseReader.Call {

  private static final String METRIC = "blixard.rpc.client";

  private final QuicConnectionPool pool;
  private final NodeAddress target;
  private final MethodDescriptor<ReqT, RespT> method;
  private final CallOptions callOptions;
  private final UUID requestId = Frames.newRequestId();
  private final Executor serial;
  private final boolean oneRequest;
  private final QuicCallStream stream = new QuicCallStream();
  private final InboundMessages inbound;

  // Guarded by this.
  private Status serverStatus;
  private boolean locallyClosed;
  private boolean closeDelivered;
  private ReqT firstMessage;
  private boolean hasFirstMessage;

  private volatile Listener<RespT> listener;
  private Metadata headers;
  private long timeoutMillis;
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
        MoreExecutors.newSequentialExecutor(
            callOptions.getExecutor() != null
                ? callOptions.getExecutor()
                : pool.callbackExecutor());
    this.oneRequest = method.getType().clientSendsOneMessage();
    this.inbound = new InboundMessages(serial, new Responses());
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
      stream.submit(s -> s.writeAndFlush(Frames.request(s.alloc(), requestId, header(), null)));
      open();
    }
    // A call with one request opens its stream at halfClose, with the request already queued, so
    // that opening the stream and writing the request is one task on the connection's event loop.
  }

  /** Opens the call's stream; the writes queued so far run on it as soon as it is open. */
  private void open() {
    if (isClosed()) {
      return;
    }
    QuicResponseReader reader =
        new QuicResponseReader(this, method, target.toString(), pool.metrics(), stream, requestId);
    pool.openStream(target, reader)
        .whenComplete(
            (s, error) -> {
              if (error != null) {
                closeLocally(statusOf(error));
              } else if (!stream.opened(s)) {
                s.close();
              } else if (!oneRequest) {
                writable();
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

  // ---- ClientCall

  @Override
  public void request(int numMessages) {
    inbound.request(numMessages);
  }

  @Override
  public void sendMessage(ReqT message) {
    if (oneRequest) {
      synchronized (this) {
        if (hasFirstMessage) {
          throw new IllegalStateException(
              method.getFullMethodName() + " takes one request message (expected: one)");
        }
        firstMessage = message;
        hasFirstMessage = true;
      }
      return;
    }
    stream.submit(
        s ->
            s.writeAndFlush(
                Frames.message(
                    s.alloc(), FrameType.STREAM_DATA, requestId, method.streamRequest(message))));
  }

  @Override
  public void halfClose() {
    if (oneRequest) {
      ReqT message;
      synchronized (this) {
        message = firstMessage;
        firstMessage = null;
      }
      // No FIN with the request, nor with a STREAM_END: this side stays open until the server
      // ends the call, so that a CANCEL can still follow (QuicCallStream).
      stream.submit(
          s ->
              s.writeAndFlush(
                  Frames.request(s.alloc(), requestId, header(), method.streamRequest(message))));
      open();
    } else {
      stream.submit(s -> s.writeAndFlush(Frames.empty(s.alloc(), FrameType.STREAM_END, requestId)));
    }
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
    if (closeLocally(status)) {
      stream.cancel(requestId);
    }
  }

  @Override
  public boolean isReady() {
    return !isClosed() && stream.isWritable();
  }

  /** Messages received and not yet delivered to the listener. */
  int bufferedMessages() {
    return inbound.buffered();
  }

  // ---- from the stream (QuicResponseReader), on its event loop

  @Override
  public void attached(QuicStreamChannel s) {
    inbound.attach(s);
  }

  @Override
  public void message(ByteBuf message) {
    inbound.add(message);
  }

  @Override
  public void closed(Status status) {
    synchronized (this) {
      if (serverStatus != null || locallyClosed) {
        return;
      }
      serverStatus = status;
    }
    inbound.end();
  }

  @Override
  public void writable() {
    serial.execute(
        () -> {
          if (!isClosed()) {
            listener.onReady();
          }
        });
  }

  // ---- closing

  private synchronized boolean isClosed() {
    return closeDelivered || locallyClosed;
  }

  /** Closes the listener with a status of this side's making; false if it was closed already. */
  private boolean closeLocally(Status status) {
    synchronized (this) {
      if (closeDelivered || locallyClosed) {
        return false;
      }
      locallyClosed = true;
    }
    inbound.discard();
    stream.abandon();
    serial.execute(() -> finish(status));
    return true;
  }

  private void finish(Status status) {
    synchronized (this) {
      if (closeDelivered) {
        return;
      }
      closeDelivered = true;
    }
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
              .serviceLevelObjectives(RpcLatencyBuckets.BOUNDS)
              .register(pool.registry()));
    }
    listener.onClose(status, new Metadata());
  }

  /** The server's responses, as the listener asks for them. */
  private final class Responses implements InboundMessages.Sink {

    @Override
    public void onMessage(ByteBuf message) {
      RespT response;
      try (ByteBufInputStream in = new ByteBufInputStream(message, true)) {
        response = method.parseResponse(in);
      } catch (Exception | Error e) {
        abort(
            Status.INTERNAL.withDescription(
                "cannot parse the response of " + method.getFullMethodName() + ": " + e));
        return;
      }
      try {
        listener.onMessage(response);
      } catch (RuntimeException e) {
        abort(Status.CANCELLED.withDescription("the response listener failed").withCause(e));
      }
    }

    @Override
    public void onEnd() {
      Status status;
      synchronized (QuicClientCall.this) {
        status = serverStatus;
      }
      finish(status);
    }
  }
}
