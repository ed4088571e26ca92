package io.blixard.client;

import io.grpc.Attributes;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Deadline;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One call as its caller sees it, made of one or more attempts: the single request of a unary or
 * server-streaming call is kept so that an attempt that failed before anything was answered can be
 * replaced by another. Subclasses make the attempts and say what follows a failed one; this class
 * keeps the call's life right:
 *
 * <ul>
 *   <li>every attempt is made in the caller's {@link Context}, so it carries the caller's deadline
 *       and is cancelled with it;
 *   <li>cancelling the call, or the caller's context, while it waits between attempts closes it at
 *       once with that status, on the call's executor (a blocking stub's thread is woken);
 *   <li>the caller's listener is called exactly once with {@code onClose}, and never while a lock
 *       is held.
 * </ul>
 *
 * <p>The grpc-java and Armeria retrying clients work the same way; this one is small enough to
 * carry the fallback between transports as well as retries.
 */
abstract class ReplayingCall<ReqT, RespT> extends ClientCall<ReqT, RespT> {

  /** What {@link #afterFailure} returns when the failure is final. */
  static final long GIVE_UP = -1;

  private final CallOptions options;
  private final Context context;
  private final Executor executor;
  private final ScheduledExecutorService scheduler;
  private final Context.CancellationListener onContextCancelled =
      c -> cancelWith(Contexts.statusFromCancelled(c));

  private final Object lock = new Object();
  // Guarded by lock.
  private Listener<RespT> listener;
  private Metadata headers;
  private ReqT request;
  private boolean hasRequest;
  private int requested;
  private Boolean compression;
  private int attempts;
  private ClientCall<ReqT, RespT> attempt;
  private ClientCall<ReqT, RespT> startedAttempt;
  private boolean committed;
  private Status cancelledWith;
  private boolean closed;
  private ScheduledFuture<?> pending;

  /**
   * @param scheduler runs attempts that wait for a backoff; null when {@link #afterFailure} never
   *     asks to wait
   */
  ReplayingCall(CallOptions options, ScheduledExecutorService scheduler) {
    this.options = options;
    this.context = Context.current();
    this.executor = options.getExecutor() != null ? options.getExecutor() : Runnable::run;
    this.scheduler = scheduler;
  }

  /** A new attempt, made in the caller's context; {@code number} is 1 for the first. */
  protected abstract ClientCall<ReqT, RespT> newAttempt(int number, CallOptions options);

  /**
   * What follows attempt {@code number}, which failed before anything was answered: {@link
   * #GIVE_UP}, or the nanoseconds to wait before the next attempt (0: at once). Called with no lock
   * held.
   */
  protected abstract long afterFailure(int number, Status status, Metadata trailers);

  /** Called once when the call closes, before the caller hears of it. */
  protected void closed(Status status) {}

  @Override
  public void start(Listener<RespT> responseListener, Metadata requestHeaders) {
    Status early;
    synchronized (lock) {
      if (listener != null) {
        throw new IllegalStateException("start: already started");
      }
      listener = responseListener;
      headers = requestHeaders;
      early = cancelledWith;
    }
    if (early != null) {
      finish(early, new Metadata(), true);
      return;
    }
    context.addListener(onContextCancelled, Runnable::run);
  }

  @Override
  public void request(int numMessages) {
    ClientCall<ReqT, RespT> target;
    synchronized (lock) {
      requested += numMessages;
      target = attempt != null && attempt == startedAttempt ? attempt : null;
    }
    if (target != null) {
      target.request(numMessages);
    }
  }

  @Override
  public void sendMessage(ReqT message) {
    synchronized (lock) {
      if (hasRequest) {
        throw new IllegalStateException(
            "sendMessage: a second request (expected: one, this method takes a single request)");
      }
      request = message;
      hasRequest = true;
    }
  }

  @Override
  public void halfClose() {
    launch();
  }

  @Override
  public void cancel(String message, Throwable cause) {
    Status status = Status.CANCELLED;
    if (message != null) {
      status = status.withDescription(message);
    }
    cancelWith(cause != null ? status.withCause(cause) : status);
  }

  @Override
  public boolean isReady() {
    ClientCall<ReqT, RespT> target;
    synchronized (lock) {
      target = attempt != null && attempt == startedAttempt ? attempt : null;
    }
    return target != null && target.isReady();
  }

  @Override
  public void setMessageCompression(boolean enabled) {
    ClientCall<ReqT, RespT> target;
    synchronized (lock) {
      compression = enabled;
      target = attempt != null && attempt == startedAttempt ? attempt : null;
    }
    if (target != null) {
      target.setMessageCompression(enabled);
    }
  }

  @Override
  public Attributes getAttributes() {
    ClientCall<ReqT, RespT> target;
    synchronized (lock) {
      target = startedAttempt;
    }
    return target != null ? target.getAttributes() : Attributes.EMPTY;
  }

  private void cancelWith(Status status) {
    ClientCall<ReqT, RespT> live;
    ScheduledFuture<?> waiting;
    boolean closeNow;
    synchronized (lock) {
      if (closed || cancelledWith != null) {
        return;
      }
      cancelledWith = status;
      waiting = pending;
      pending = null;
      // An attempt being started is cancelled by the thread starting it, once it is started.
      live = attempt != null && attempt == startedAttempt ? attempt : null;
      closeNow = attempt == null && listener != null;
    }
    if (waiting != null) {
      waiting.cancel(false);
    }
    if (live != null) {
      // Its onClose closes the call.
      live.cancel(status.getDescription(), status.getCause());
    } else if (closeNow) {
      finish(status, new Metadata(), true);
    }
  }

  private void launch() {
    int number;
    synchronized (lock) {
      if (closed || cancelledWith != null) {
        return;
      }
      pending = null;
      number = ++attempts;
    }
    Context previous = context.attach();
    try {
      ClientCall<ReqT, RespT> call = newAttempt(number, options);
      Metadata attemptHeaders = new Metadata();
      synchronized (lock) {
        if (closed || cancelledWith != null) {
          return;
        }
        attempt = call;
        attemptHeaders.merge(headers);
      }
      call.start(new AttemptListener(call), attemptHeaders);
      send(call);
    } finally {
      context.detach(previous);
    }
  }

  /** Sends the kept request on a started attempt, then lets calls reach it directly. */
  private void send(ClientCall<ReqT, RespT> call) {
    int toRequest;
    ReqT message;
    boolean withMessage;
    Boolean compress;
    synchronized (lock) {
      if (attempt != call || cancelledWith != null) {
        toRequest = -1;
        message = null;
        withMessage = false;
        compress = null;
      } else {
        toRequest = requested;
        message = request;
        withMessage = hasRequest;
        compress = compression;
      }
    }
    if (toRequest >= 0) {
      if (compress != null) {
        call.setMessageCompression(compress);
      }
      if (toRequest > 0) {
        call.request(toRequest);
      }
      if (withMessage) {
        call.sendMessage(message);
      }
      call.halfClose();
    }
    Status cancel;
    int more = 0;
    synchronized (lock) {
      cancel = attempt == call ? cancelledWith : null;
      if (attempt == call) {
        startedAttempt = call;
        more = Math.max(0, requested - Math.max(0, toRequest));
      }
    }
    if (cancel != null) {
      call.cancel(cancel.getDescription(), cancel.getCause());
    } else if (more > 0) {
      call.request(more);
    }
  }

  private void afterClose(ClientCall<ReqT, RespT> call, Status status, Metadata trailers) {
    boolean mayReplace;
    int number;
    synchronized (lock) {
      if (attempt != call) {
        return;
      }
      attempt = null;
      startedAttempt = null;
      mayReplace = !status.isOk() && !committed && cancelledWith == null && !closed;
      number = attempts;
    }
    long delayNanos = mayReplace ? afterFailure(number, status, trailers) : GIVE_UP;
    if (delayNanos > 0 && !timeLeftFor(delayNanos)) {
      delayNanos = GIVE_UP;
    }
    if (delayNanos == GIVE_UP) {
      finish(status, trailers, false);
      return;
    }
    if (delayNanos == 0) {
      launch();
      return;
    }
    if (scheduler == null) {
      throw new IllegalStateException(
          "afterFailure: a wait of " + delayNanos + " ns (expected: 0 or GIVE_UP, no scheduler)");
    }
    synchronized (lock) {
      if (closed || cancelledWith != null) {
        return;
      }
      pending = scheduler.schedule(this::launch, delayNanos, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * Whether the call's deadline, if any (its own or its caller's), leaves room to wait this long.
   */
  protected final boolean timeLeftFor(long delayNanos) {
    Deadline deadline = options.getDeadline();
    Deadline inherited = context.getDeadline();
    if (deadline == null || (inherited != null && inherited.isBefore(deadline))) {
      deadline = inherited;
    }
    return deadline == null || deadline.timeRemaining(TimeUnit.NANOSECONDS) > delayNanos;
  }

  private void finish(Status status, Metadata trailers, boolean onExecutor) {
    Listener<RespT> target;
    synchronized (lock) {
      if (closed) {
        return;
      }
      closed = true;
      target = listener;
    }
    context.removeListener(onContextCancelled);
    closed(status);
    if (target == null) {
      return;
    }
    if (onExecutor) {
      executor.execute(() -> target.onClose(status, trailers));
    } else {
      target.onClose(status, trailers);
    }
  }

  private final class AttemptListener extends Listener<RespT> {

    private final ClientCall<ReqT, RespT> call;

    AttemptListener(ClientCall<ReqT, RespT> call) {
      this.call = call;
    }

    private Listener<RespT> committedListener() {
      synchronized (lock) {
        if (attempt != call) {
          return null;
        }
        committed = true;
        return listener;
      }
    }

    @Override
    public void onHeaders(Metadata responseHeaders) {
      Listener<RespT> target = committedListener();
      if (target != null) {
        target.onHeaders(responseHeaders);
      }
    }

    @Override
    public void onMessage(RespT message) {
      Listener<RespT> target = committedListener();
      if (target != null) {
        target.onMessage(message);
      }
    }

    @Override
    public void onReady() {
      Listener<RespT> target;
      synchronized (lock) {
        target = attempt == call ? listener : null;
      }
      if (target != null) {
        target.onReady();
      }
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      afterClose(call, status, trailers);
    }
  }
}
