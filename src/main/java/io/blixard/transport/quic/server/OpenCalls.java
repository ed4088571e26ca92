package io.blixard.transport.quic.server;

import io.grpc.Status;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The calls the QUIC server has open, so that shutdown can refuse new ones, wait for these to end,
 * and cancel those still open when the grace period is over.
 */
final class OpenCalls {

  private final Set<QuicServerCall<?, ?>> open = new HashSet<>();
  private boolean draining;

  /** Counts the call as open; false once the server drains, when no call may start. */
  synchronized boolean enter(QuicServerCall<?, ?> call) {
    if (draining) {
      return false;
    }
    open.add(call);
    return true;
  }

  /** The call's stream is closed. */
  synchronized void exit(QuicServerCall<?, ?> call) {
    if (open.remove(call) && open.isEmpty()) {
      notifyAll();
    }
  }

  synchronized int size() {
    return open.size();
  }

  /** Refuses new calls from now on. */
  synchronized void drain() {
    draining = true;
  }

  /** Waits until no call is open, at most {@code timeoutMillis}; true if none is. */
  synchronized boolean awaitEmpty(long timeoutMillis) {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    try {
      while (!open.isEmpty()) {
        long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
        if (left <= 0) {
          return false;
        }
        wait(left);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return open.isEmpty();
    }
    return true;
  }

  /** Ends every open call with {@code status}, on both sides. */
  void abortAll(Status status) {
    List<QuicServerCall<?, ?>> calls;
    synchronized (this) {
      calls = new ArrayList<>(open);
    }
    calls.forEach(call -> call.abort(status));
  }
}
