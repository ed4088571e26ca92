package io.blixard.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.transport.quic.client.QuicClientSettings;
import io.blixard.transport.quic.client.QuicConnectionPool;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.Unpooled;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/**
 * The QUIC server's limits over real connections: connections in all and per address, the inbound
 * byte budget of the node and of each connection, and the frame timeout — each refusal clear and
 * counted, other calls unaffected, and nothing held once the flood is over.
 */
@Timeout(90)
class QuicResourceLimitsTest {

  private static final int FRAME = 1024 * 1024;
  private static final int HEADER = 24;

  @TempDir Path tmp;

  private final EchoTestService echo = new EchoTestService();
  private final List<AutoCloseable> opened = new ArrayList<>();
  private QuicLoopback loopback;

  @AfterEach
  void close() throws Exception {
    for (AutoCloseable c : opened) {
      c.close();
    }
    if (loopback != null) {
      loopback.close();
    }
  }

  private void start(
      int maxConnections,
      int perSource,
      long inboundBytes,
      long perConnection,
      Duration frameTimeout) {
    QuicTransportProperties properties =
        new QuicTransportProperties(
            0,
            "127.0.0.1",
            List.of(QuicAlpn.RPC),
            QuicTransportProperties.ClientAuth.NONE,
            DataSize.ofBytes(FRAME),
            100,
            Duration.ofSeconds(30),
            DataSize.ofMegabytes(8),
            DataSize.ofMegabytes(32),
            4,
            Duration.ofSeconds(1),
            true,
            maxConnections,
            perSource,
            DataSize.ofBytes(inboundBytes),
            DataSize.ofBytes(perConnection),
            frameTimeout);
    loopback =
        new QuicLoopback(tmp, List.of(echo), properties, QuicClientSettings.defaults(), false);
  }

  private RawQuicClient raw() throws Exception {
    RawQuicClient client = new RawQuicClient(loopback.server.port(), QuicAlpn.RPC);
    opened.add(client);
    return client;
  }

  /** A unary echo over a pool of its own, so over a connection of its own. */
  private String echoOverNewConnection(String text) {
    QuicConnectionPool pool =
        new QuicConnectionPool(QuicClientSettings.defaults(), null, new SimpleMeterRegistry());
    try {
      return EchoServiceGrpc.newBlockingStub(pool.channel(loopback.target()))
          .withDeadlineAfter(10, TimeUnit.SECONDS)
          .unary(EchoRequest.newBuilder().setText(text).build())
          .getText();
    } finally {
      pool.close();
    }
  }

  private double refused(String reason) {
    return loopback
        .serverMeters
        .get(QuicMetrics.CONNECTIONS_REFUSED)
        .tags("side", "server", "reason", reason)
        .counter()
        .count();
  }

  private double framesRejected(String reason) {
    return loopback
        .serverMeters
        .get(QuicMetrics.FRAMES_REJECTED)
        .tags("side", "server", "reason", reason)
        .counter()
        .count();
  }

  private double connectionsOpen() {
    return loopback.serverMeters.get(QuicMetrics.CONNECTIONS).tag("side", "server").gauge().value();
  }

  /** A frame header claiming {@code length} payload bytes, and a little of that payload. */
  private static ByteBuf unfinishedRequest(long length) {
    ByteBuf buf = Unpooled.buffer();
    buf.writeByte(1).writeByte(1).writeInt((int) length);
    buf.writeLong(1).writeLong(2).writeShort(0);
    return buf.writeBytes(new byte[1000]);
  }

  @Test
  void connectionsFromOneAddressBeyondItsLimitAreRefusedWithAReasonUntilOneCloses()
      throws Exception {
    start(1000, 3, 64L * FRAME, 8L * FRAME, Duration.ofSeconds(10));
    List<RawQuicClient> three = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      three.add(raw());
    }

    assertThatThrownBy(() -> echoOverNewConnection("one too many"))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE))
        .hasMessageContaining("the server closed the connection (CONNECTION_REFUSED)")
        .hasMessageContaining("3 QUIC connections from 127.0.0.1")
        .hasMessageContaining("blixard.transport.quic.max-connections-per-source");
    assertThat(refused("max_connections_per_source")).isPositive();
    three.get(0).assertStillServes();

    three.get(0).close();
    opened.remove(three.get(0));
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () -> assertThat(echoOverNewConnection("room again")).isEqualTo("room again"));
  }

  @Test
  void connectionsBeyondTheServersLimitAreRefusedAndAFloodLeavesNothingBehind() throws Exception {
    start(4, 100, 64L * FRAME, 8L * FRAME, Duration.ofSeconds(10));
    for (int i = 0; i < 4; i++) {
      raw();
    }
    int refusedAttempts = 0;
    for (int i = 0; i < 20; i++) {
      try {
        echoOverNewConnection("flood");
      } catch (StatusRuntimeException e) {
        assertThat(e).hasMessageContaining("blixard.transport.quic.max-connections");
        refusedAttempts++;
      }
    }
    assertThat(refusedAttempts).isEqualTo(20);
    // At least one refusal each: a client may send its first packets again and be refused again.
    assertThat(refused("max_connections")).isGreaterThanOrEqualTo(20);
    assertThat(connectionsOpen()).isEqualTo(4);

    for (AutoCloseable c : opened) {
      c.close();
    }
    opened.clear();
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(connectionsOpen()).isZero());
    // Every slot is free again: as many connections as the limit, at once.
    for (int i = 0; i < 4; i++) {
      raw().assertStillServes();
    }
    assertThat(loopback.server.inboundBytes()).isZero();
  }

  @Test
  void unfinishedFramesBeyondAConnectionsShareAreRefusedWhileOtherCallsGoOn() throws Exception {
    // Room for two frames per connection, three in all.
    start(1000, 100, 3L * (FRAME + HEADER), 2L * (FRAME + HEADER), Duration.ofSeconds(30));
    RawQuicClient greedy = raw();
    List<RawQuicClient.RawStream> held = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      RawQuicClient.RawStream stream = greedy.open();
      stream.write(unfinishedRequest(FRAME));
      held.add(stream);
    }
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(
            () ->
                assertThat(loopback.server.inboundBytes())
                    .isGreaterThanOrEqualTo(2L * (FRAME + HEADER)));

    RawQuicClient.RawStream third = greedy.open();
    third.write(unfinishedRequest(FRAME));
    Status status = RawQuicClient.errorOf(third);
    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription())
        .startsWith("no room for a frame of " + FRAME + " bytes")
        .contains("blixard.transport.quic.max-inbound-bytes-per-connection");
    assertThat(framesRejected("budget")).isEqualTo(1);

    // Another connection still has the node's third frame, and small calls need no room at all.
    RawQuicClient other = raw();
    RawQuicClient.RawStream big = other.open();
    big.write(unfinishedRequest(FRAME));
    RawQuicClient.RawStream tooMany = other.open();
    tooMany.write(unfinishedRequest(FRAME));
    Status nodeFull = RawQuicClient.errorOf(tooMany);
    assertThat(nodeFull.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(nodeFull.getDescription()).contains("(blixard.transport.quic.max-inbound-bytes)");
    greedy.assertStillServes();
    other.assertStillServes();
    assertThat(echoOverNewConnection("unaffected")).isEqualTo("unaffected");

    // Once those streams are gone, so is what they held.
    greedy.close();
    opened.remove(greedy);
    other.close();
    opened.remove(other);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(loopback.server.inboundBytes()).isZero());
  }

  @Test
  void aFrameNotFinishedWithinTheFrameTimeoutEndsItsCallAndFreesItsBytes() throws Exception {
    start(1000, 100, 64L * FRAME, 8L * FRAME, Duration.ofMillis(500));
    RawQuicClient client = raw();
    RawQuicClient.RawStream stream = client.open();
    stream.write(unfinishedRequest(FRAME));

    Status status = RawQuicClient.errorOf(stream);
    assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(status.getDescription())
        .isEqualTo(
            "a frame of "
                + FRAME
                + " bytes was not complete within 500 ms (1024 of "
                + (FRAME + HEADER)
                + " bytes received; blixard.transport.quic.frame-timeout)");
    assertThat(framesRejected("timeout")).isEqualTo(1);
    await()
        .atMost(Duration.ofSeconds(5))
        .untilAsserted(() -> assertThat(loopback.server.inboundBytes()).isZero());
    client.assertStillServes();
  }

  /** Live heap after a full collection, and the direct memory Netty's pooled allocator holds. */
  private record Memory(long heap, long direct) {
    static Memory now() {
      System.gc();
      System.gc();
      return new Memory(
          ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed(),
          PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory());
    }
  }

  @Test
  void aFloodOfConnectionsAndUnfinishedFramesLeavesNoMemoryBehind() throws Exception {
    start(1000, 1000, 256L * FRAME, 8L * FRAME, Duration.ofSeconds(30));
    // Warm up first: the allocator's first chunks and the classes of a call are not a leak.
    raw().assertStillServes();
    assertThat(echoOverNewConnection("warm")).isEqualTo("warm");
    Memory before = Memory.now();

    for (int i = 0; i < 100; i++) {
      RawQuicClient client = raw();
      if (i % 2 == 0) {
        ByteBuf half = unfinishedRequest(FRAME).writeBytes(new byte[FRAME / 2]);
        client.open().write(half);
      }
    }
    await()
        .atMost(Duration.ofSeconds(30))
        .untilAsserted(
            () -> assertThat(loopback.server.inboundBytes()).isGreaterThanOrEqualTo(50L * FRAME));
    assertThat(connectionsOpen()).isGreaterThanOrEqualTo(100);
    // What the flood holds is measurable: half a frame buffered for each of 50 streams.
    assertThat(Memory.now().direct()).isGreaterThan(before.direct() + 16L * 1024 * 1024);

    for (AutoCloseable c : opened) {
      c.close();
    }
    opened.clear();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () -> {
              assertThat(connectionsOpen()).isZero();
              assertThat(loopback.server.inboundBytes()).isZero();
            });
    Memory after = Memory.now();
    // Slack for what the collector and the allocator's caches keep, far below what was held.
    assertThat(after.heap()).isLessThan(before.heap() + 48L * 1024 * 1024);
    assertThat(after.direct()).isLessThan(before.direct() + 16L * 1024 * 1024);
    assertThat(echoOverNewConnection("after")).isEqualTo("after");
  }
}
