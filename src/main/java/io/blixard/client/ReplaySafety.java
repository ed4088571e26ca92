package io.blixard.client;

import io.blixard.migration.ServedOnRefusal;
import io.blixard.transport.UnprocessedRequestException;
import io.github.resilience4j.circuitbreaker.CallNotPermittedException;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.PortUnreachableException;
import java.net.UnknownHostException;
import java.nio.channels.UnresolvedAddressException;
import javax.net.ssl.SSLHandshakeException;

/**
 * Whether a failed call may be sent again (retried, or moved to another transport): only when its
 * method is declared safe to repeat ({@code idempotency_level} in the .proto), or when the failure
 * proves the server never ran it. An UNAVAILABLE alone proves nothing: the request may have reached
 * the server, run, and the answer been lost.
 */
final class ReplaySafety {

  /** The early-data refusal of docs/protocol.md §1, which a client retries at once. */
  static final String RETRY_AFTER_HANDSHAKE = "retry after the handshake";

  private ReplaySafety() {}

  /** Whether the method says running it twice does no harm (NO_SIDE_EFFECTS or IDEMPOTENT). */
  static boolean safeToRepeat(MethodDescriptor<?, ?> method) {
    return method.isSafe() || method.isIdempotent();
  }

  /** Whether this failure proves the server never ran the call. */
  static boolean notProcessed(Status status) {
    if (status.getCode() != Status.Code.UNAVAILABLE) {
      return false;
    }
    if (ServedOnRefusal.is(status) || RETRY_AFTER_HANDSHAKE.equals(status.getDescription())) {
      return true;
    }
    for (Throwable t = status.getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof UnprocessedRequestException
          || t instanceof CallNotPermittedException
          // No connection was made (gRPC's Netty and the QUIC dialer report these), or the
          // handshake that comes before any request failed.
          || t instanceof ConnectException
          || t instanceof PortUnreachableException
          || t instanceof NoRouteToHostException
          || t instanceof UnknownHostException
          || t instanceof UnresolvedAddressException
          || t instanceof SSLHandshakeException) {
        return true;
      }
    }
    return false;
  }

  /** Whether a circuit breaker refused the call (it never left the client). */
  static boolean circuitOpen(Status status) {
    for (Throwable t = status.getCause(); t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof CallNotPermittedException) {
        return true;
      }
    }
    return false;
  }

  /** Whether the call may be sent again after failing with this status. */
  static boolean mayReplay(MethodDescriptor<?, ?> method, Status status) {
    return safeToRepeat(method) || notProcessed(status);
  }

  /** Failures of the transport or the peer, as opposed to answers the service gave. */
  static boolean transportFailure(Status status) {
    return switch (status.getCode()) {
      case UNAVAILABLE, DEADLINE_EXCEEDED, INTERNAL, UNKNOWN -> true;
      default -> false;
    };
  }
}
