package io.blixard.transport;

import java.net.InetSocketAddress;
import java.util.Optional;

/** A running server of one transport; what the transports health indicator looks at. */
public interface TransportListener {

  Transport transport();

  /** The bound local address, while the listener is running. */
  Optional<InetSocketAddress> localAddress();
}
