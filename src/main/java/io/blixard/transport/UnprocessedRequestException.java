package io.blixard.transport;

/**
 * The cause a transport's client gives a call that failed before its request left the client (no
 * connection could be made, no stream could be opened, a circuit refused it): the server never saw
 * the call, so sending it again, over this transport or another, cannot repeat its effects. Callers
 * find it in the cause chain of the call's {@link io.grpc.Status}.
 */
public final class UnprocessedRequestException extends RuntimeException {

  public UnprocessedRequestException(String message, Throwable cause) {
    super(message, cause);
  }

  /** Whether {@code error} or one of its causes says the request never left the client. */
  public static boolean in(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof UnprocessedRequestException) {
        return true;
      }
    }
    return false;
  }
}
