package io.blixard.migration;

import io.blixard.transport.Transport;
import io.grpc.Status;
import java.util.Collection;
import java.util.regex.Pattern;

/**
 * The answer {@link ServedOnInterceptor} gives a call to a service on a transport the strategy does
 * not serve it on: UNAVAILABLE with a message naming where the service is served. The refusal comes
 * before the service runs, so a client may send the call again over another transport whatever the
 * method does; both transports carry only the code and the message, so the message is the mark.
 */
public final class ServedOnRefusal {

  private static final Pattern MESSAGE =
      Pattern.compile("service \\S+ is not served over \\S+ on this node \\(served over: [^)]*\\)");

  private ServedOnRefusal() {}

  /** The refusal's message, e.g. "service health is not served over quic on this node (...)". */
  public static String message(
      String service, Transport refusedOn, Collection<Transport> servedOn) {
    return "service "
        + service
        + " is not served over "
        + refusedOn.tag()
        + " on this node (served over: "
        + String.join(", ", servedOn.stream().map(Transport::tag).sorted().toList())
        + ")";
  }

  /** Whether a call's status is this refusal. */
  public static boolean is(Status status) {
    return status.getCode() == Status.Code.UNAVAILABLE
        && status.getDescription() != null
        && MESSAGE.matcher(status.getDescription()).matches();
  }
}
