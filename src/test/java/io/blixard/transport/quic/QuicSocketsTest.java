package io.blixard.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.incubator.codec.quic.SegmentedDatagramPacketAllocator;
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
    assertThat(QuicSockets.describe()).isEqualTo("epoll with GSO");
    assertThat(QuicSockets.datagramChannel()).isEqualTo(EpollDatagramChannel.class);
    assertThat(QuicSockets.segmentedAllocator().maxNumSegments())
        .isEqualTo(QuicSockets.MAX_SEGMENTS);
    assertThat(QuicSockets.segmentedAllocator()).isNotSameAs(SegmentedDatagramPacketAllocator.NONE);
  }
}
