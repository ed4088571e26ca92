package io.blixard.transport.quic.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class FrameCodecTest {

  private static final UUID ID = UUID.fromString("00112233-4455-6677-8899-aabbccddeeff");

  private static ByteBuf header(int version, int type, long length, int flags) {
    ByteBuf buf = Unpooled.buffer();
    buf.writeByte(version).writeByte(type).writeInt((int) length);
    buf.writeLong(ID.getMostSignificantBits()).writeLong(ID.getLeastSignificantBits());
    buf.writeShort(flags);
    return buf;
  }

  @Test
  void shouldMakeRequestIdsThatAreRandomVersionFourUuids() {
    java.util.Set<UUID> seen = new java.util.HashSet<>();
    for (int i = 0; i < 10_000; i++) {
      UUID id = Frames.newRequestId();
      assertThat(id.version()).isEqualTo(4);
      assertThat(id.variant()).isEqualTo(2);
      seen.add(id);
    }
    assertThat(seen).hasSize(10_000);
  }

  @Test
  void shouldSendTheStreamsFinWithALastFrameSmallOrLarge() {
    EmbeddedChannel channel = new EmbeddedChannel(FrameEncoder.INSTANCE);
    channel.writeOutbound(
        new Frame(FrameType.RESPONSE, ID, Unpooled.wrappedBuffer(new byte[40])).last());
    channel.writeOutbound(
        new Frame(FrameType.RESPONSE, ID, Unpooled.wrappedBuffer(new byte[64 * 1024])).last());
    channel.writeOutbound(
        new Frame(FrameType.STREAM_DATA, ID, Unpooled.wrappedBuffer(new byte[8])));

    for (int payload : new int[] {40, 64 * 1024}) {
      io.netty.incubator.codec.quic.QuicStreamFrame out = channel.readOutbound();
      assertThat(out.hasFin()).isTrue();
      assertThat(out.content().readableBytes()).isEqualTo(24 + payload);
      out.release();
    }
    // A frame that is not the last goes out as plain bytes, the stream left open.
    ByteBuf open = channel.readOutbound();
    assertThat(open.readableBytes()).isEqualTo(24 + 8);
    open.release();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void shouldEncodeTheSpecExample() {
    EmbeddedChannel channel = new EmbeddedChannel(FrameEncoder.INSTANCE);
    channel.writeOutbound(new Frame(FrameType.REQUEST, ID, Unpooled.wrappedBuffer(new byte[40])));

    ByteBuf out = channel.readOutbound();
    assertThat(ByteBufUtil.hexDump(out, 0, 24))
        .isEqualTo("010100000028" + "00112233445566778899aabbccddeeff" + "0000");
    assertThat(out.readableBytes()).isEqualTo(64);
    out.release();
    assertThat(channel.finish()).isFalse();
  }

  @Test
  void shouldDecodeWhatItEncodesEvenOneByteAtATime() {
    EmbeddedChannel encoder = new EmbeddedChannel(FrameEncoder.INSTANCE);
    byte[] payload = "hello".getBytes(StandardCharsets.UTF_8);
    encoder.writeOutbound(new Frame(FrameType.STREAM_DATA, ID, Unpooled.wrappedBuffer(payload)));
    ByteBuf wire = encoder.readOutbound();

    EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(1024));
    while (wire.isReadable()) {
      decoder.writeInbound(wire.readRetainedSlice(1));
    }
    wire.release();

    Frame frame = decoder.readInbound();
    assertThat(frame.type()).isEqualTo(FrameType.STREAM_DATA);
    assertThat(frame.requestId()).isEqualTo(ID);
    assertThat(frame.payload().toString(StandardCharsets.UTF_8)).isEqualTo("hello");
    frame.release();
    assertThat(decoder.finish()).isFalse();
  }

  @Test
  void shouldEncodeLargePayloadsWithoutLosingBytes() {
    EmbeddedChannel encoder = new EmbeddedChannel(FrameEncoder.INSTANCE);
    byte[] payload = new byte[100_000];
    payload[99_999] = 7;
    encoder.writeOutbound(new Frame(FrameType.RESPONSE, ID, Unpooled.wrappedBuffer(payload)));
    ByteBuf wire = encoder.readOutbound();

    EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(200_000));
    decoder.writeInbound(wire);
    Frame frame = decoder.readInbound();
    assertThat(frame.payload().readableBytes()).isEqualTo(100_000);
    assertThat(frame.payload().getByte(99_999)).isEqualTo((byte) 7);
    frame.release();
    assertThat(decoder.finish()).isFalse();
  }

  @Test
  void shouldRejectAnotherVersionAndIgnoreTheRestOfTheStream() {
    EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(1024));
    decoder.writeInbound(header(2, 1, 0, 0));
    decoder.writeInbound(header(1, 1, 0, 0));

    FrameError error = decoder.readInbound();
    assertThat(error.code()).isEqualTo(Status.Code.UNIMPLEMENTED);
    assertThat(error.message()).isEqualTo("unsupported protocol version 2 (supported: 1)");
    assertThat(error.reason()).isEqualTo(FrameError.Reason.VERSION);
    assertThat((Object) decoder.readInbound()).isNull();
    assertThat(decoder.finish()).isFalse();
  }

  @Test
  void shouldRejectAnUnknownType() {
    EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(1024));
    decoder.writeInbound(header(1, 9, 0, 0));

    FrameError error = decoder.readInbound();
    assertThat(error.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(error.message()).isEqualTo("unknown frame type 9 (expected: 1 to 8)");
    assertThat(decoder.finish()).isFalse();
  }

  @Test
  void shouldRejectUnknownFlags() {
    EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(1024));
    decoder.writeInbound(header(1, 1, 0, 0x8000));

    FrameError error = decoder.readInbound();
    assertThat(error.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(error.message()).contains("unknown flags 0x8000").contains("expected: 0");
    assertThat(decoder.finish()).isFalse();
  }

  @Test
  void shouldRejectAnOversizedFrameFromItsHeaderAlone() {
    EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(1024));
    decoder.writeInbound(header(1, 1, 0xffff_ffffL, 0));

    FrameError error = decoder.readInbound();
    assertThat(error.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(error.message()).isEqualTo("frame of 4294967295 bytes exceeds the limit of 1024");
    assertThat(error.reason()).isEqualTo(FrameError.Reason.OVERSIZED);
    // Whatever follows is dropped, never buffered.
    decoder.writeInbound(Unpooled.wrappedBuffer(new byte[4096]));
    assertThat((Object) decoder.readInbound()).isNull();
    assertThat(decoder.finish()).isFalse();
  }

  @Test
  void shouldReportATruncatedFrameWhenTheStreamEnds() {
    EmbeddedChannel decoder = new EmbeddedChannel(new FrameDecoder(1024));
    ByteBuf partial = header(1, 1, 10, 0).writeBytes(new byte[3]);
    decoder.writeInbound(partial);
    assertThat((Object) decoder.readInbound()).isNull();

    decoder.pipeline().fireChannelInactive();
    FrameError error = decoder.readInbound();
    assertThat(error.code()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(error.message()).startsWith("truncated frame");
    assertThat(error.reason()).isEqualTo(FrameError.Reason.TRUNCATED);
    decoder.finish();
  }

  @Test
  void shouldRoundTripACallHeader() {
    CallHeader header =
        new CallHeader("blixard.health.v1.HealthService/Check", 1500, Map.of("x-trace", "abc"));
    ByteBuf buf = Unpooled.buffer();
    header.writeTo(buf);
    assertThat(buf.readableBytes()).isEqualTo(header.encodedSize());
    buf.writeBytes(new byte[] {9, 9});

    CallHeader read = CallHeader.readFrom(buf);
    assertThat(read).isEqualTo(header);
    assertThat(read.serviceName()).isEqualTo("blixard.health.v1.HealthService");
    assertThat(buf.readableBytes()).isEqualTo(2);
  }

  @Test
  void shouldNameWhatIsMissingInAShortCallHeader() {
    ByteBuf buf = Unpooled.buffer().writeShort(50).writeBytes("abc".getBytes());
    org.assertj.core.api.Assertions.assertThatIllegalArgumentException()
        .isThrownBy(() -> CallHeader.readFrom(buf))
        .withMessageContaining("method needs 50 bytes but the payload has 3 left");
  }

  @Test
  void shouldRoundTripAStatusAndCutLongMessagesAt1KiB() {
    ByteBuf buf = Unpooled.buffer();
    StatusPayload.writeTo(buf, Status.UNAVAILABLE.withDescription("é".repeat(600)));
    Status read = StatusPayload.readFrom(buf);
    assertThat(read.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    assertThat(read.getDescription().getBytes(StandardCharsets.UTF_8)).hasSize(1024);
    assertThat(StatusPayload.readFrom(Unpooled.EMPTY_BUFFER).isOk()).isTrue();
  }
}
