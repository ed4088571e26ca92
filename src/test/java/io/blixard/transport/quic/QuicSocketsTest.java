package io.blixard.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.SegmentedDatagramPacket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

class QuicSocketsTest {

  @Test
  @EnabledOnOs(value = OS.LINUX, architectures = "amd64")
  void shouldRunOnEpollWithSegmentationOffloadOnLinux() {
    // The node ships epoll's native library for linux-x86_64: without it the sockets would fall
    // back to NIO silently, one send per packet.
    assertThat(QuicSockets.epoll()).isTrue();
    assertThat(QuicSockets.datagramChannel()).isEqualTo(EpollDatagramChannel.class);
    // GSO when the kernel has UDP_SEGMENT (this one does), and the log says what is in use.
    assertThat(SegmentedDatagramPacket.isSupported()).isTrue();
    assertThat(QuicSockets.segmentedAllocator().maxNumSegments())
        .isEqualTo(QuicSockets.MAX_SEGMENTS);
    assertThat(QuicSockets.segmentedAllocator()).isSameAs(QuicSockets.segmentedAllocator());
    assertThat(QuicSockets.describe()).isEqualTo("epoll with GSO");
  }
}
