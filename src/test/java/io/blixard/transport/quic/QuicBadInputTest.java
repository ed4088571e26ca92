package io.blixard.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.transport.quic.client.QuicClientSettings;
import io.blixard.transport.quic.codec.Frame;
import io.blixard.transport.quic.codec.FrameType;
import io.blixard.transport.quic.codec.Frames;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.incubator.codec.quic.QuicStreamType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/**
 * Every row of docs/protocol.md §5 over a real QUIC connection: the documented answer, and then a
 * good call on the same connection that still succeeds.
 */
@Timeout(60)
class QuicBadInputTest {

  private static final String UNARY = "blixard.test.v1.EchoService/Unary";

  @TempDir Path tmp;

  private final EchoTestService echo = new EchoTestService();
  private QuicLoopback loopback;
  private RawQuicClient client;

  @BeforeEach
  void start() throws Exception {
    QuicTransportProperties properties =
        new QuicTransportProperties(
            0,
            "127.0.0.1",
            List.of(QuicAlpn.RPC),
            QuicTransportProperties.ClientAuth.NONE,
            DataSize.ofMegabytes(1),
            3,
            Duration.ofSeconds(2),
            DataSize.ofMegabytes(8),
            DataSize.ofMegabytes(32),
            4,
            Duration.ofSeconds(1),
            true,
            1000,
            100,
            DataSize.ofMegabytes(256),
            DataSize.ofMegabytes(128),
            Duration.ofSeconds(10));
    loopback =
        new QuicLoopback(tmp, List.of(echo), properties, QuicClientSettings.defaults(), false);
    client = new RawQuicClient(loopback.server.port(), QuicAlpn.RPC);
  }

  @AfterEach
  void stop() {
    client.close();
    loopback.close();
  }

  private static ByteBuf header(int version, int type, long length, int flags) {
    ByteBuf buf = Unpooled.buffer();
    buf.writeByte(version).writeByte(type).writeInt((int) length);
    buf.writeLong(1).writeLong(2).writeShort(flags);
    return buf;
  }

  private static ByteBuf request(String method, long timeoutMillis, byte[] message) {
    return RawQuicClient.request(UUID.randomUUID(), method, timeoutMillis, message);
  }

  private double rejected(String reason) {
    return loopback
        .serverMeters
        .get(QuicMetrics.FRAMES_REJECTED)
        .tags("side", "server", "reason", reason)
        .counter()
        .count();
  }

  @Test
  void shouldRefuseAnotherVersion() throws Exception {
    RawQuicClient.RawStream stream = client.open();
    stream.writeAndFinish(header(2, 1, 0, 0));

    Status status = RawQuicClient.errorOf(stream);
    assertThat(status.getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(status.getDescription()).isEqualTo("unsupported protocol version 2 (supported: 1)");
    assertThat(rejected("version")).isEqualTo(1);
    client.assertStillServes();
  }

  @Test
  void shouldRefuseAnUnknownType() throws Exception {
    RawQuicClient.RawStream stream = client.open();
    stream.writeAndFinish(header(1, 42, 0, 0));

    Status status = RawQuicClient.errorOf(stream);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).isEqualTo("unknown frame type 42 (expected: 1 to 8)");
    client.assertStillServes();
  }

  @Test
  void shouldRefuseUnknownFlags() throws Exception {
    RawQuicClient.RawStream stream = client.open();
    stream.writeAndFinish(header(1, 1, 0, 1));

    Status status = RawQuicClient.errorOf(stream);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).contains("unknown flags 0x1");
    client.assertStillServes();
  }

  @Test
  void shouldRefuseAFrameOutOfOrder() throws Exception {
    RawQuicClient.RawStream stream = client.open();
    stream.writeAndFinish(
        RawQuicClient.encode(new Frame(FrameType.RESPONSE, UUID.randomUUID(), Unpooled.buffer(0))));

    Status status = RawQuicClient.errorOf(stream);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription())
        .isEqualTo("a RESPONSE frame cannot open a stream (expected: REQUEST or PING)");
    assertThat(rejected("order")).isEqualTo(1);
    client.assertStillServes();
  }

  @Test
  void shouldRefuseAFrameOverTheLimitFromItsHeaderAlone() throws Exception {
    RawQuicClient.RawStream stream = client.open();
    // Only the header and a little of the claimed 10 MB: the answer must not wait for the rest.
    stream.write(header(1, 1, 10_000_000, 0).writeBytes(new byte[1000]));

    Status status = RawQuicClient.errorOf(stream);
    assertThat(status.getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(status.getDescription())
        .isEqualTo("frame of 10000000 bytes exceeds the limit of 1048576");
    assertThat(rejected("oversized")).isEqualTo(1);
    client.assertStillServes();
  }

  @Test
  void shouldReportATruncatedFrame() throws Exception {
    RawQuicClient.RawStream stream = client.open();
    stream.writeAndFinish(header(1, 1, 100, 0).writeBytes(new byte[10]));

    Status status = RawQuicClient.errorOf(stream);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).startsWith("truncated frame");
    client.assertStillServes();
  }

  @Test
  void shouldAnswerUnimplementedForAMethodNotServed() throws Exception {
    RawQuicClient.RawStream stream = client.open();
    stream.writeAndFinish(request("blixard.vm.v1.VmService/Create", 0, new byte[0]));

    Status status = RawQuicClient.errorOf(stream);
    assertThat(status.getCode()).isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(status.getDescription())
        .isEqualTo("method blixard.vm.v1.VmService/Create is not served over QUIC on this node");
    client.assertStillServes();
  }

  @Test
  void shouldRefuseAMalformedCallHeader() throws Exception {
    RawQuicClient.RawStream stream = client.open();
    ByteBuf payload = Unpooled.buffer().writeShort(200).writeBytes("short".getBytes());
    stream.writeAndFinish(
        RawQuicClient.encode(new Frame(FrameType.REQUEST, UUID.randomUUID(), payload)));

    Status status = RawQuicClient.errorOf(stream);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).startsWith("malformed call header");
    client.assertStillServes();
  }

  @Test
  void shouldRefuseAMessageThatDoesNotParse() throws Exception {
    RawQuicClient.RawStream stream = client.open();
    stream.writeAndFinish(request(UNARY, 0, new byte[] {(byte) 0xff, (byte) 0xff, (byte) 0xff}));

    Status status = RawQuicClient.errorOf(stream);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription())
        .startsWith("the request message of blixard.test.v1.EchoService/Unary does not parse");
    client.assertStillServes();
  }

  @Test
  void shouldAnswerDeadlineExceededWhenTheCallHeadersTimeoutPasses() throws Exception {
    RawQuicClient.RawStream stream = client.open();
    stream.writeAndFinish(
        request(UNARY, 200, EchoRequest.newBuilder().setCount(3000).build().toByteArray()));

    Status status = RawQuicClient.errorOf(stream);
    assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(echo.cancelled.await(5, TimeUnit.SECONDS)).isTrue();
    client.assertStillServes();
  }

  @Test
  void shouldLetFlowControlRefuseStreamsBeyondTheConcurrentLimit() throws Exception {
    // Three calls are allowed at once; each of these holds its stream open.
    List<RawQuicClient.RawStream> held = List.of(client.open(), client.open(), client.open());
    for (RawQuicClient.RawStream stream : held) {
      stream.write(request("blixard.test.v1.EchoService/Bidi", 0, new byte[0]));
    }
    assertThat(client.connection.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL)).isZero();
    var refused =
        client.connection.createStream(
            QuicStreamType.BIDIRECTIONAL, new io.netty.channel.ChannelInboundHandlerAdapter());
    assertThat(refused.await(5, TimeUnit.SECONDS)).isTrue();
    assertThat(refused.isSuccess()).isFalse();
    assertThat(refused.cause()).hasMessageContaining("STREAM_LIMIT");

    for (RawQuicClient.RawStream stream : held) {
      stream.writeAndFinish(
          RawQuicClient.encode(
              Frames.empty(ByteBufAllocator.DEFAULT, FrameType.STREAM_END, UUID.randomUUID())));
      Frame end = (Frame) stream.next();
      assertThat(end.type()).isEqualTo(FrameType.STREAM_END);
      end.release();
    }
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> client.connection.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) > 0);
    client.assertStillServes();
  }

  @Test
  void shouldAnswerAPingWithItsBytes() throws Exception {
    RawQuicClient.RawStream stream = client.open();
    stream.writeAndFinish(
        RawQuicClient.encode(
            new Frame(FrameType.PING, UUID.randomUUID(), Unpooled.wrappedBuffer("hi".getBytes()))));

    Frame pong = (Frame) stream.next();
    assertThat(pong.type()).isEqualTo(FrameType.PONG);
    assertThat(pong.payload().toString(java.nio.charset.StandardCharsets.UTF_8)).isEqualTo("hi");
    pong.release();
  }

  @Test
  void shouldCloseAStreamThatNeverCompletesAFrameWhileTheConnectionIsBusy() throws Exception {
    RawQuicClient.RawStream stream = client.open();
    stream.write(header(1, 1, 100, 0).writeBytes(new byte[3]));
    // Other traffic keeps the connection itself from its idle timeout: a ping every 300 ms until
    // the server gives up on the incomplete frame (after 2 s).
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .pollInterval(Duration.ofMillis(300))
        .until(
            () -> {
              RawQuicClient.RawStream ping = client.open();
              ping.writeAndFinish(
                  RawQuicClient.encode(
                      new Frame(
                          FrameType.PING, UUID.randomUUID(), Unpooled.wrappedBuffer(new byte[1]))));
              ((Frame) ping.next()).release();
              return !stream.received.isEmpty();
            });

    Status status = RawQuicClient.errorOf(stream);
    assertThat(status.getCode()).isEqualTo(Status.Code.DEADLINE_EXCEEDED);
    assertThat(status.getDescription()).contains("no complete frame within 2000 ms");
    client.assertStillServes();
  }

  @Test
  void shouldCloseASilentConnectionAfterTheIdleTimeoutFreeingItsStreams() throws Exception {
    RawQuicClient.RawStream stream = client.open();
    stream.write(header(1, 1, 100, 0).writeBytes(new byte[3]));
    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(5))
        .until(() -> gauge(QuicMetrics.STREAMS) == 1 && gauge(QuicMetrics.CONNECTIONS) == 1);

    org.awaitility.Awaitility.await()
        .atMost(Duration.ofSeconds(10))
        .until(() -> gauge(QuicMetrics.STREAMS) == 0 && gauge(QuicMetrics.CONNECTIONS) == 0);
    assertThat(client.connection.isActive()).isFalse();
  }

  private double gauge(String name) {
    return loopback.serverMeters.get(name).tags("side", "server").gauge().value();
  }
}
