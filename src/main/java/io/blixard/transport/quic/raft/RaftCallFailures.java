package io.blixard.transport.quic.raft;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.ConnectException;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;

/**
 * How a failed Raft call becomes what Ratis expects of a transport: an {@link IOException}, of the
 * kinds Ratis treats as "try again, maybe another server" when the peer could not be reached or did
 * not answer in time; and how a server-side failure becomes a status.
 */
final class RaftCallFailures {

  private RaftCallFailures() {}

  /** The exception Ratis sees for a failed call to {@code target}. */
  static IOException toIOException(Throwable failure, String target) {
    Throwable cause = unwrap(failure);
    if (cause instanceof IOException io) {
      return io;
    }
    Status status = Status.fromThrowable(cause);
    String message =
        "Raft call to "
            + target
            + " over QUIC failed: "
            + status.getCode()
            + " "
            + describe(status);
    IOException io =
        switch (status.getCode()) {
          // Ratis reconnects, and a client tries another server, on these two.
          case UNAVAILABLE, CANCELLED -> new ConnectException(message);
          case DEADLINE_EXCEEDED -> new TimeoutIOException(message);
          default -> new IOException(message);
        };
    io.initCause(cause);
    return io;
  }

  /** The failure of a request to a peer this node's Raft server was never told of. */
  static IOException unknownPeer(RaftPeerId self, RaftPeerId peer) {
    return new IOException(
        self + ": no Raft address for peer " + peer + " (expected: a peer Ratis added)");
  }

  /** The status a server-side failure of a Raft call answers with. */
  static StatusRuntimeException toStatus(Throwable failure) {
    Throwable cause = unwrap(failure);
    if (cause instanceof StatusRuntimeException s) {
      return s;
    }
    // IOExceptions are Ratis's "not now" (server not ready, group not here): worth a retry.
    Status status = cause instanceof IOException ? Status.UNAVAILABLE : Status.INTERNAL;
    return status
        .withDescription(cause.getClass().getSimpleName() + ": " + cause.getMessage())
        .asRuntimeException();
  }

  private static String describe(Status status) {
    return status.getDescription() == null ? "" : status.getDescription();
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
