package io.blixard.transport.quic.codec;

import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.UUID;

/**
 * Splits a stream's bytes into {@link Frame}s (docs/protocol.md §3).
 *
 * <pre>
 * offset  size  field
 * 0       1     version     1
 * 1       1     type        1..8
 * 2       4     length      payload bytes after the header, &lt;= max-frame-size
 * 6       16    request id  UUID
 * 22      2     flags       0
 * 24      len   payload
 * </pre>
 *
 * A REQUEST with a 40-byte payload starts {@code 01 01 00 00 00 28}. The header is checked, the
 * length against the limit first of all, before a payload byte is buffered. A header that breaks
 * the protocol, or a frame cut short by the end of the stream, becomes one {@link FrameError} and
 * the decoder discards whatever else arrives on that stream.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

  /** Size of the fixed frame header. */
  public static final int HEADER_SIZE = 24;

  /** The protocol version this decoder speaks. */
  public static final int VERSION = 1;

  private final int maxFrameSize;
  private boolean failed;

  public FrameDecoder(int maxFrameSize) {
    if (maxFrameSize <= 0) {
      throw new IllegalArgumentException("maxFrameSize: " + maxFrameSize + " (expected: > 0)");
    }
    this.maxFrameSize = maxFrameSize;
  }

  @Override
  protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
    if (failed) {
      in.skipBytes(in.readableBytes());
      return;
    }
    if (in.readableBytes() < HEADER_SIZE) {
      return;
    }
    int start = in.readerIndex();
    int version = in.getUnsignedByte(start);
    if (version != VERSION) {
      fail(
          in,
          out,
          new FrameError(
              Status.Code.UNIMPLEMENTED,
              "unsupported protocol version " + version + " (supported: " + VERSION + ")",
              FrameError.Reason.VERSION));
      return;
    }
    int typeCode = in.getUnsignedByte(start + 1);
    FrameType type = FrameType.of(typeCode);
    if (type == null) {
      fail(
          in,
          out,
          new FrameError(
              Status.Code.INVALID_ARGUMENT,
              "unknown frame type " + typeCode + " (expected: 1 to 8)",
              FrameError.Reason.TYPE));
      return;
    }
    long length = in.getUnsignedInt(start + 2);
    int flags = in.getUnsignedShort(start + 22);
    if (flags != 0) {
      fail(
          in,
          out,
          new FrameError(
              Status.Code.INVALID_ARGUMENT,
              "unknown flags 0x"
                  + Integer.toHexString(flags)
                  + " on a "
                  + type
                  + " frame (expected: 0)",
              FrameError.Reason.FLAGS));
      return;
    }
    if (length > maxFrameSize) {
      fail(
          in,
          out,
          new FrameError(
              Status.Code.RESOURCE_EXHAUSTED,
              "frame of " + length + " bytes exceeds the limit of " + maxFrameSize,
              FrameError.Reason.OVERSIZED));
      return;
    }
    if (in.readableBytes() < HEADER_SIZE + length) {
      return;
    }
    UUID requestId = new UUID(in.getLong(start + 6), in.getLong(start + 14));
    in.skipBytes(HEADER_SIZE);
    out.add(new Frame(type, requestId, in.readRetainedSlice((int) length)));
  }

  @Override
  protected void decodeLast(ChannelHandlerContext ctx, ByteBuf in, List<Object> out)
      throws Exception {
    decode(ctx, in, out);
    if (!failed && in.isReadable()) {
      fail(
          in,
          out,
          new FrameError(
              Status.Code.INVALID_ARGUMENT,
              "truncated frame: the stream ended "
                  + in.readableBytes()
                  + " bytes into a frame (expected: a 24-byte header and its whole payload)",
              FrameError.Reason.TRUNCATED));
    }
  }

  private void fail(ByteBuf in, List<Object> out, FrameError error) {
    failed = true;
    in.skipBytes(in.readableBytes());
    out.add(error);
  }
}
