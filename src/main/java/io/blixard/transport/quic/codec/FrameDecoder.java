package io.blixard.transport.quic.codec;

import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

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
 *
 * <p>On a server, a frame that has begun and is not complete yet is held against an {@link
 * InboundBudget} from its header on (a frame it has no room for is refused with RESOURCE_EXHAUSTED
 * before its payload is buffered), and must be complete within the frame timeout (DEADLINE_EXCEEDED
 * otherwise): a peer cannot hold the node's memory with frames it never finishes. Which budget is
 * the {@link StreamBudget}'s choice, from the method the stream's first REQUEST names: for an
 * unfinished REQUEST the decoder waits for the method's bytes (at most {@link #MAX_PEEKED_METHOD}
 * of them, in the frame's first packet in practice) before it counts the frame.
 */
public final class FrameDecoder extends ByteToMessageDecoder {

  /** Size of the fixed frame header. */
  public static final int HEADER_SIZE = 24;

  /** The protocol version this decoder speaks. */
  public static final int VERSION = 1;

  /**
   * The longest method name read from an unfinished REQUEST to choose its budget; a longer one is
   * no method with a share of its own, and the frame is counted as any other.
   */
  public static final int MAX_PEEKED_METHOD = 256;

  private final int maxFrameSize;
  private final StreamBudget budgets;
  private InboundBudget budget;
  private final long frameTimeoutMillis;
  private boolean failed;
  // The unfinished frame's bytes counted against the budget, and its timer.
  private long reserved;
  private ScheduledFuture<?> frameTimer;

  /** A decoder with no bound beyond the frame size: a client's, reading its own calls' answers. */
  public FrameDecoder(int maxFrameSize) {
    this(maxFrameSize, (StreamBudget) null, 0);
  }

  /**
   * @param budget what unfinished frames are counted against, or null for no bound
   * @param frameTimeoutMillis how long a frame may take from its header to its last byte, or 0
   */
  public FrameDecoder(int maxFrameSize, InboundBudget budget, long frameTimeoutMillis) {
    this(maxFrameSize, budget == null ? null : method -> budget, frameTimeoutMillis);
  }

  /**
   * @param budgets what chooses the budget unfinished frames are counted against, or null for no
   *     bound
   * @param frameTimeoutMillis how long a frame may take from its header to its last byte, or 0
   */
  public FrameDecoder(int maxFrameSize, StreamBudget budgets, long frameTimeoutMillis) {
    if (maxFrameSize <= 0) {
      throw new IllegalArgumentException("maxFrameSize: " + maxFrameSize + " (expected: > 0)");
    }
    if (frameTimeoutMillis < 0) {
      throw new IllegalArgumentException(
          "frameTimeoutMillis: " + frameTimeoutMillis + " (expected: >= 0)");
    }
    this.maxFrameSize = maxFrameSize;
    this.budgets = budgets;
    this.frameTimeoutMillis = frameTimeoutMillis;
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
      unfinished(ctx, in, out, type, length);
      return;
    }
    finished();
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

  private void unfinished(
      ChannelHandlerContext ctx, ByteBuf in, List<Object> out, FrameType type, long length) {
    long frameBytes = HEADER_SIZE + length;
    if (budgets != null && budget == null && !chooseBudget(in, type, length)) {
      // The method's bytes are yet to come: a few hundred at most, under the frame timeout.
      startTimer(ctx, frameBytes);
      return;
    }
    if (budget != null && reserved == 0) {
      InboundBudget full = budget.tryReserve(frameBytes);
      if (full != null) {
        fail(
            in,
            out,
            new FrameError(
                Status.Code.RESOURCE_EXHAUSTED,
                "no room for a frame of "
                    + (frameBytes - HEADER_SIZE)
                    + " bytes: the node holds at most "
                    + full.limit()
                    + " inbound bytes ("
                    + full.setting()
                    + ") and has "
                    + full.used()
                    + "; try again later",
                FrameError.Reason.BUDGET));
        return;
      }
      reserved = frameBytes;
    }
    startTimer(ctx, frameBytes);
  }

  /**
   * Chooses the stream's budget, from the method of a REQUEST when its bytes are in hand.
   *
   * @return false when the method's bytes have not all arrived yet
   */
  private boolean chooseBudget(ByteBuf in, FrameType type, long length) {
    String method = null;
    int start = in.readerIndex();
    if (type == FrameType.REQUEST && length >= 2) {
      if (in.readableBytes() < HEADER_SIZE + 2) {
        return false;
      }
      int methodLength = in.getUnsignedShort(start + HEADER_SIZE);
      if (methodLength <= MAX_PEEKED_METHOD && 2 + methodLength <= length) {
        if (in.readableBytes() < HEADER_SIZE + 2 + methodLength) {
          return false;
        }
        method =
            in.toString(
                start + HEADER_SIZE + 2, methodLength, java.nio.charset.StandardCharsets.UTF_8);
      }
    }
    budget = budgets.forMethod(method);
    return true;
  }

  private void startTimer(ChannelHandlerContext ctx, long frameBytes) {
    if (frameTimeoutMillis > 0 && frameTimer == null) {
      frameTimer =
          ctx.executor()
              .schedule(() -> timedOut(ctx, frameBytes), frameTimeoutMillis, TimeUnit.MILLISECONDS);
    }
  }

  private void timedOut(ChannelHandlerContext ctx, long frameBytes) {
    frameTimer = null;
    if (failed || ctx.isRemoved()) {
      return;
    }
    ByteBuf held = internalBuffer();
    FrameError error =
        new FrameError(
            Status.Code.DEADLINE_EXCEEDED,
            "a frame of "
                + (frameBytes - HEADER_SIZE)
                + " bytes was not complete within "
                + frameTimeoutMillis
                + " ms ("
                + held.readableBytes()
                + " of "
                + frameBytes
                + " bytes received; blixard.transport.quic.frame-timeout)",
            FrameError.Reason.TIMEOUT);
    failed = true;
    finished();
    held.skipBytes(held.readableBytes());
    ctx.fireChannelRead(error);
    ctx.fireChannelReadComplete();
  }

  private void finished() {
    if (frameTimer != null) {
      frameTimer.cancel(false);
      frameTimer = null;
    }
    if (reserved > 0) {
      budget.release(reserved);
      reserved = 0;
    }
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) {
    finished();
  }

  private void fail(ByteBuf in, List<Object> out, FrameError error) {
    failed = true;
    finished();
    in.skipBytes(in.readableBytes());
    out.add(error);
  }
}
