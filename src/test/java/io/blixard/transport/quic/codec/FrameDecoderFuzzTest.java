package io.blixard.transport.quic.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.util.ResourceLeakDetector;
import java.lang.reflect.Field;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.UUID;

/**
 * Fuzzes {@link FrameDecoder} with arbitrary stream bytes cut into arbitrary reads, against a plain
 * reading of docs/protocol.md §3 and §5: the same frames and the same error whatever the cuts, no
 * frame longer than the limit, never more than one unfinished frame buffered, no exception, every
 * buffer released.
 *
 * <p>Input: byte 0 picks the limit (high bit set: the default 4 MiB, else 1 to 128 bytes, so that
 * short inputs cross it); byte 1 how the stream is cut (0: one read, else reads of 1 to that many
 * bytes, sizes drawn from it); the rest is what arrives on the stream, then FIN. Regression inputs
 * are in {@code FrameDecoderFuzzTestInputs/decode/}; docs/reliability.md ("Fuzzing") has the long
 * run.
 */
class FrameDecoderFuzzTest {

  private static final int DEFAULT_MAX_FRAME_SIZE = 4 * 1024 * 1024;
  private static final Field CUMULATION;

  static {
    ResourceLeakDetector.setLevel(ResourceLeakDetector.Level.PARANOID);
    try {
      CUMULATION = ByteToMessageDecoder.class.getDeclaredField("cumulation");
      CUMULATION.setAccessible(true);
    } catch (NoSuchFieldException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  @FuzzTest(maxExecutions = 10_000_000, maxDuration = "30m")
  void decode(byte[] input) throws Exception {
    int maxFrameSize =
        input.length == 0 || (input[0] & 0x80) != 0
            ? DEFAULT_MAX_FRAME_SIZE
            : (input[0] & 0x7f) + 1;
    int maxRead = input.length < 2 ? 0 : input[1] & 0xff;
    byte[] stream = input.length < 2 ? new byte[0] : Arrays.copyOfRange(input, 2, input.length);
    Deque<Expected> expected = expect(stream, maxFrameSize);

    TrackingAllocator alloc = new TrackingAllocator();
    FrameDecoder decoder = new FrameDecoder(maxFrameSize);
    EmbeddedChannel channel = new EmbeddedChannel();
    channel.config().setAllocator(alloc);
    channel.pipeline().addLast(decoder);

    int random = maxRead * 0x9E3779B1 | 1;
    for (int at = 0; at < stream.length; ) {
      int n = stream.length - at;
      if (maxRead > 0) {
        random ^= random << 13;
        random ^= random >>> 17;
        random ^= random << 5;
        n = Math.min(n, 1 + Integer.remainderUnsigned(random, maxRead));
      }
      ByteBuf read = alloc.heapBuffer(n);
      read.writeBytes(stream, at, n);
      at += n;
      channel.writeInbound(read);
      check(channel, expected, maxFrameSize);
      int buffered = buffered(decoder);
      assertThat(buffered)
          .as("bytes buffered for an unfinished frame, limit %d", maxFrameSize)
          .isLessThan(FrameDecoder.HEADER_SIZE + maxFrameSize);
    }
    channel.finish();
    check(channel, expected, maxFrameSize);
    assertThat(expected).as("outputs the decoder did not give").isEmpty();
    assertThat(alloc.unreleased()).as("buffers not released").isZero();
  }

  private static void check(EmbeddedChannel channel, Deque<Expected> expected, int maxFrameSize) {
    for (Object out; (out = channel.readInbound()) != null; ) {
      Expected next = expected.poll();
      try {
        assertThat(next).as("output %s where none was expected", out).isNotNull();
        if (out instanceof Frame frame) {
          assertThat(frame.payload().readableBytes()).isLessThanOrEqualTo(maxFrameSize);
          assertThat(next.reason).as("%s where %s was expected", frame, next).isNull();
          assertThat(frame.type().code()).isEqualTo(next.type);
          assertThat(frame.requestId()).isEqualTo(next.requestId);
          assertThat(ByteBufUtil.getBytes(frame.payload())).isEqualTo(next.payload);
        } else {
          assertThat(out).isInstanceOf(FrameError.class);
          FrameError error = (FrameError) out;
          assertThat(error.reason())
              .as("%s where %s was expected", error, next)
              .isEqualTo(next.reason);
          assertThat(error.code()).isEqualTo(next.code);
          assertThat(error.message()).isNotBlank().hasSizeLessThan(200);
          assertThat(error.toStatus().getCode()).isEqualTo(error.code());
        }
      } finally {
        io.netty.util.ReferenceCountUtil.release(out);
      }
    }
  }

  private static int buffered(FrameDecoder decoder) throws IllegalAccessException {
    ByteBuf cumulation = (ByteBuf) CUMULATION.get(decoder);
    return cumulation == null ? 0 : cumulation.readableBytes();
  }

  /** What a receiver following docs/protocol.md §3 and §5 makes of a whole stream. */
  private static Deque<Expected> expect(byte[] stream, int maxFrameSize) {
    Deque<Expected> out = new ArrayDeque<>();
    int at = 0;
    while (at < stream.length) {
      int left = stream.length - at;
      if (left < FrameDecoder.HEADER_SIZE) {
        out.add(Expected.error(Status.Code.INVALID_ARGUMENT, FrameError.Reason.TRUNCATED));
        return out;
      }
      int version = stream[at] & 0xff;
      int type = stream[at + 1] & 0xff;
      long length = (readLong(stream, at + 2, 4));
      int flags = (int) readLong(stream, at + 22, 2);
      if (version != 1) {
        out.add(Expected.error(Status.Code.UNIMPLEMENTED, FrameError.Reason.VERSION));
        return out;
      }
      if (type < 1 || type > 8) {
        out.add(Expected.error(Status.Code.INVALID_ARGUMENT, FrameError.Reason.TYPE));
        return out;
      }
      if (flags != 0) {
        out.add(Expected.error(Status.Code.INVALID_ARGUMENT, FrameError.Reason.FLAGS));
        return out;
      }
      if (length > maxFrameSize) {
        out.add(Expected.error(Status.Code.RESOURCE_EXHAUSTED, FrameError.Reason.OVERSIZED));
        return out;
      }
      if (left < FrameDecoder.HEADER_SIZE + length) {
        out.add(Expected.error(Status.Code.INVALID_ARGUMENT, FrameError.Reason.TRUNCATED));
        return out;
      }
      UUID id = new UUID(readLong(stream, at + 6, 8), readLong(stream, at + 14, 8));
      int start = at + FrameDecoder.HEADER_SIZE;
      out.add(
          new Expected(
              type, id, Arrays.copyOfRange(stream, start, start + (int) length), null, null));
      at = start + (int) length;
    }
    return out;
  }

  private static long readLong(byte[] bytes, int at, int size) {
    long value = 0;
    for (int i = 0; i < size; i++) {
      value = value << 8 | (bytes[at + i] & 0xff);
    }
    return value;
  }

  /** A frame (type, id, payload) or an error (code, reason). */
  private record Expected(
      int type, UUID requestId, byte[] payload, Status.Code code, FrameError.Reason reason) {

    static Expected error(Status.Code code, FrameError.Reason reason) {
      return new Expected(0, null, null, code, reason);
    }

    @Override
    public String toString() {
      return reason != null
          ? "error " + reason
          : "frame type " + type + " of " + payload.length + " bytes";
    }
  }
}
