package io.blixard.support;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedSelectorException;
import java.nio.channels.DatagramChannel;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A UDP relay in front of a node's QUIC listener: datagrams to {@code listen} go to {@code target}
 * from a socket of their own per client address, and the answers go back. {@link #stop()} closes
 * every socket, so from the clients' side the listener is gone (datagrams to it get ICMP port
 * unreachable, connections through it fall silent); {@link #start()} binds {@code listen} again.
 * {@link #delay(Duration)} holds every datagram, both ways, for a while: a slow path.
 */
public final class UdpRelay implements AutoCloseable {

  private static final int MAX_DATAGRAM = 65_535;

  private final InetSocketAddress listen;
  private final InetSocketAddress target;
  private final ScheduledExecutorService later =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "udp-relay-delay");
            t.setDaemon(true);
            return t;
          });
  private volatile long delayNanos;
  private Thread thread;
  private Selector selector;

  public UdpRelay(InetSocketAddress listen, InetSocketAddress target) {
    this.listen = Objects.requireNonNull(listen, "listen");
    this.target = Objects.requireNonNull(target, "target");
  }

  /** Binds {@code listen} and relays until {@link #stop()}; does nothing while running. */
  public synchronized void start() throws IOException {
    if (thread != null) {
      return;
    }
    Selector opened = Selector.open();
    DatagramChannel front = DatagramChannel.open();
    try {
      front.bind(listen);
      front.configureBlocking(false);
      front.register(opened, SelectionKey.OP_READ);
    } catch (IOException e) {
      front.close();
      opened.close();
      throw e;
    }
    selector = opened;
    thread = new Thread(() -> relay(opened, front), "udp-relay-" + listen.getPort());
    thread.setDaemon(true);
    thread.start();
  }

  /** Holds every datagram, each way, for {@code delay} before it goes on; zero for none. */
  public void delay(Duration delay) {
    delayNanos = delay.toNanos();
  }

  /** Closes the listening socket and every upstream one; the relay can be started again. */
  public synchronized void stop() throws InterruptedException {
    if (thread == null) {
      return;
    }
    try {
      // Wakes the relay's thread, which closes its sockets on the way out.
      selector.close();
    } catch (IOException e) {
      // Closing anyway.
    }
    thread.join(5_000);
    thread = null;
    selector = null;
  }

  private void relay(Selector selector, DatagramChannel front) {
    Map<SocketAddress, DatagramChannel> upstreams = new HashMap<>();
    ByteBuffer buffer = ByteBuffer.allocateDirect(MAX_DATAGRAM);
    try {
      while (selector.isOpen()) {
        selector.select();
        for (SelectionKey key : selector.selectedKeys()) {
          if (!key.isValid() || !key.isReadable()) {
            continue;
          }
          DatagramChannel channel = (DatagramChannel) key.channel();
          if (channel == front) {
            SocketAddress client;
            while ((client = receive(front, buffer)) != null) {
              DatagramChannel upstream = upstreams.computeIfAbsent(client, c -> open(selector, c));
              forward(buffer, copy -> upstream.write(copy));
            }
          } else {
            SocketAddress client = (SocketAddress) key.attachment();
            while (receive(channel, buffer) != null) {
              forward(buffer, copy -> front.send(copy, client));
            }
          }
        }
        selector.selectedKeys().clear();
      }
    } catch (IOException | ClosedSelectorException | UncheckedIOException e) {
      // Stopped: the selector or a channel was closed under the loop.
    } finally {
      upstreams.values().forEach(UdpRelay::closeQuietly);
      closeQuietly(front);
    }
  }

  /** A socket of its own to the target for one client's datagrams. */
  private DatagramChannel open(Selector selector, SocketAddress client) {
    try {
      DatagramChannel upstream = DatagramChannel.open();
      upstream.configureBlocking(false);
      upstream.connect(target);
      upstream.register(selector, SelectionKey.OP_READ, client);
      return upstream;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One datagram into {@code buffer}, flipped; null when none is waiting. */
  private static SocketAddress receive(DatagramChannel channel, ByteBuffer buffer)
      throws IOException {
    buffer.clear();
    SocketAddress from;
    try {
      from = channel.receive(buffer);
    } catch (java.net.PortUnreachableException e) {
      // The node's port is closed (it is being restarted): the datagram is lost, as on a network.
      return null;
    }
    buffer.flip();
    return from;
  }

  private interface Send {
    void run() throws IOException;
  }

  private interface SendBuffer {
    void send(ByteBuffer datagram) throws IOException;
  }

  /** Sends the datagram in {@code buffer} now, or a copy of it after the delay. */
  private void forward(ByteBuffer buffer, SendBuffer send) throws IOException {
    long delay = delayNanos;
    if (delay == 0) {
      sendQuietly(() -> send.send(buffer));
      return;
    }
    ByteBuffer copy = ByteBuffer.allocate(buffer.remaining()).put(buffer).flip();
    later.schedule(
        () -> {
          try {
            sendQuietly(() -> send.send(copy));
          } catch (IOException | RuntimeException e) {
            // The relay stopped meanwhile: lost, as on a network.
          }
        },
        delay,
        TimeUnit.NANOSECONDS);
  }

  private static void sendQuietly(Send send) throws IOException {
    try {
      send.run();
    } catch (java.net.PortUnreachableException e) {
      // Lost, as a datagram to a closed port is.
    }
  }

  private static void closeQuietly(DatagramChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // Closing anyway.
    }
  }

  @Override
  public void close() throws InterruptedException {
    stop();
    later.shutdownNow();
  }
}
