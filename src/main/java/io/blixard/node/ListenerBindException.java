package io.blixard.node;

import java.net.InetSocketAddress;
import java.nio.channels.UnresolvedAddressException;
import java.util.Locale;
import java.util.Objects;

/**
 * A listener of the node could not bind its address, told in one line that names the setting to
 * change, its value and what was expected: {@code blixard.transport.grpc.port: 7001 is already in
 * use on 0.0.0.0 (expected: a free TCP port, or 0 for any free one)}.
 */
public class ListenerBindException extends IllegalStateException {

  /** The transport protocol of a listener, as the message names it. */
  public enum Protocol {
    TCP,
    UDP
  }

  private final String setting;

  /**
   * @param portSetting the key of the listener's port, such as {@code blixard.cluster.raft.port}
   * @param addressSetting the key of its bind address
   * @param address the address it tried to bind
   * @param cause what the socket reported
   */
  public ListenerBindException(
      String portSetting,
      String addressSetting,
      Protocol protocol,
      InetSocketAddress address,
      Throwable cause) {
    this(
        Objects.requireNonNull(portSetting, "portSetting"),
        Objects.requireNonNull(addressSetting, "addressSetting"),
        Objects.requireNonNull(protocol, "protocol"),
        Objects.requireNonNull(address, "address"),
        Objects.requireNonNull(cause, "cause"),
        Reason.of(address, cause));
  }

  private ListenerBindException(
      String portSetting,
      String addressSetting,
      Protocol protocol,
      InetSocketAddress address,
      Throwable cause,
      Reason reason) {
    super(reason.describe(portSetting, addressSetting, protocol, address, cause), cause);
    this.setting = reason == Reason.ADDRESS ? addressSetting : portSetting;
  }

  /** The key of the setting to change. */
  public String setting() {
    return setting;
  }

  private enum Reason {
    IN_USE,
    ADDRESS,
    PRIVILEGED,
    OTHER;

    static Reason of(InetSocketAddress address, Throwable cause) {
      if (address.isUnresolved()) {
        return ADDRESS;
      }
      for (Throwable t = cause; t != null; t = t.getCause()) {
        if (t instanceof UnresolvedAddressException) {
          return ADDRESS;
        }
        String message = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
        if (message.contains("address already in use")) {
          return IN_USE;
        }
        if (message.contains("cannot assign requested address")) {
          return ADDRESS;
        }
        if (message.contains("permission denied")) {
          return PRIVILEGED;
        }
      }
      return OTHER;
    }

    String describe(
        String portSetting,
        String addressSetting,
        Protocol protocol,
        InetSocketAddress address,
        Throwable cause) {
      String host = address.getHostString();
      int port = address.getPort();
      return switch (this) {
        case IN_USE ->
            portSetting
                + ": "
                + port
                + " is already in use on "
                + host
                + " (expected: a free "
                + protocol
                + " port, or 0 for any free one)";
        case ADDRESS ->
            addressSetting
                + ": \""
                + host
                + "\" is not an address of this machine (expected: one of its IP addresses or"
                + " a name that resolves to one, or 0.0.0.0 for all of them)";
        case PRIVILEGED ->
            portSetting
                + ": "
                + port
                + " needs privileges this process does not have (expected: a "
                + protocol
                + " port from 1024 to 65535)";
        case OTHER ->
            portSetting
                + ": cannot listen on "
                + host
                + ":"
                + port
                + "/"
                + protocol.name().toLowerCase(Locale.ROOT)
                + " ("
                + rootMessage(cause)
                + ")";
      };
    }

    private static String rootMessage(Throwable cause) {
      Throwable root = cause;
      while (root.getCause() != null) {
        root = root.getCause();
      }
      return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
  }
}
