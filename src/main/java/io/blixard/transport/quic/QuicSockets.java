package io.blixard.transport.quic;

import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.incubator.codec.quic.EpollQuicUtils;
import io.netty.incubator.codec.quic.SegmentedDatagramPacketAllocator;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The UDP sockets under QUIC, server and client alike: Linux's epoll where its native library loads
 * — fewer system calls per packet than NIO's selector, and UDP segmentation offload (GSO), which
 * hands the kernel up to {@link #MAX_SEGMENTS} packets of a connection in one send — and Java NIO
 * everywhere else.
 */
public final class QuicSockets {

  /** Packets sent with one system call when GSO is there. */
  static final int MAX_SEGMENTS = 10;

  private static final boolean EPOLL = detectEpoll();
  // GSO needs the kernel's UDP_SEGMENT as well: without it the library hands back NONE.
  private static final SegmentedDatagramPacketAllocator ALLOCATOR =
      EPOLL
          ? EpollQuicUtils.newSegmentedAllocator(MAX_SEGMENTS)
          : SegmentedDatagramPacketAllocator.NONE;

  private QuicSockets() {}

  /** Whether the sockets use epoll (Linux, native library loaded), else NIO. */
  public static boolean epoll() {
    return EPOLL;
  }

  private static boolean detectEpoll() {
    try {
      return Epoll.isAvailable();
    } catch (LinkageError noNativeTransportOnTheClassPath) {
      return false;
    }
  }

  /** What the sockets run on: "epoll with GSO", "epoll" or "NIO", for the start-up log. */
  public static String describe() {
    if (!EPOLL) {
      return "NIO";
    }
    return ALLOCATOR.maxNumSegments() > 0 ? "epoll with GSO" : "epoll";
  }

  /** An event loop group of {@code threads} daemon threads named {@code name}-N-M. */
  public static EventLoopGroup group(int threads, String name) {
    DefaultThreadFactory factory = new DefaultThreadFactory(name, true);
    return epoll()
        ? new EpollEventLoopGroup(threads, factory)
        : new NioEventLoopGroup(threads, factory);
  }

  /** The datagram channel class that goes with {@link #group}. */
  public static Class<? extends DatagramChannel> datagramChannel() {
    return epoll() ? EpollDatagramChannel.class : NioDatagramChannel.class;
  }

  /**
   * How the QUIC codec batches outgoing packets: GSO segments with epoll where the kernel has
   * UDP_SEGMENT, none otherwise.
   */
  public static SegmentedDatagramPacketAllocator segmentedAllocator() {
    return ALLOCATOR;
  }
}
