package io.blixard.transport.quic;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Forwards UDP between one client and the server, losing a share of the packets each way at random,
 * until told to drop every packet.
 */
public final class UdpRelay implements AutoCloseable {
  private final DatagramSocket front = new DatagramSocket(0, InetAddress.getLoopbackAddress());
  private final DatagramSocket back = new DatagramSocket();
  private final double loss;
  private volatile SocketAddress client;
  private volatile boolean dropping;
  private final AtomicLong[] packets = {new AtomicLong(), new AtomicLong()};
  private final AtomicLong[] bytes = {new AtomicLong(), new AtomicLong()};

  public UdpRelay(int serverPort) throws Exception {
    this(serverPort, 0);
  }

  public UdpRelay(int serverPort, double loss) throws Exception {
    this.loss = loss;
    back.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), serverPort));
    start(() -> pump(front, true));
    start(() -> pump(back, false));
  }

  private static void start(Runnable pump) {
    Thread thread = new Thread(pump, "udp-relay");
    thread.setDaemon(true);
    thread.start();
  }

  public int port() {
    return front.getLocalPort();
  }

  /** Packets passed on towards the server (or towards the client), not counting those lost. */
  public long packets(boolean towardsServer) {
    return packets[towardsServer ? 0 : 1].get();
  }

  /** UDP payload bytes passed on towards the server (or towards the client). */
  public long bytes(boolean towardsServer) {
    return bytes[towardsServer ? 0 : 1].get();
  }

  public void drop() {
    dropping = true;
  }

  private void pump(DatagramSocket from, boolean towardsServer) {
    byte[] buffer = new byte[65_536];
    try {
      while (true) {
        DatagramPacket packet = new DatagramPacket(buffer, buffer.length);
        from.receive(packet);
        if (dropping || ThreadLocalRandom.current().nextDouble() < loss) {
          continue;
        }
        int way = towardsServer ? 0 : 1;
        packets[way].incrementAndGet();
        bytes[way].addAndGet(packet.getLength());
        if (towardsServer) {
          client = packet.getSocketAddress();
          back.send(new DatagramPacket(buffer, packet.getLength()));
        } else if (client != null) {
          front.send(new DatagramPacket(buffer, packet.getLength(), client));
        }
      }
    } catch (IOException e) {
      // Closed.
    }
  }

  @Override
  public void close() {
    front.close();
    back.close();
  }
}
