package io.blixard.transport.quic.codec;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.MessageToMessageEncoder;
import io.netty.incubator.codec.quic.DefaultQuicStreamFrame;
import java.util.List;

/**
 * Writes {@link Frame}s as header and payload (docs/protocol.md §3); a frame marked {@linkplain
 * Frame#last() last} goes out with the stream's FIN. Small payloads are copied behind the header
 * into one buffer, so that a call goes out as one write; large ones follow the header as a second
 * component without a copy.
 */
@ChannelHandler.Sharable
public final class FrameEncoder extends MessageToMessageEncoder<Frame> {

  /** The one instance; the encoder keeps no state. */
  public static final FrameEncoder INSTANCE = new FrameEncoder();

  private static final int COPY_THRESHOLD = 16 * 1024;

  private FrameEncoder() {}

  @Override
  protected void encode(ChannelHandlerContext ctx, Frame frame, List<Object> out) {
    ByteBuf payload = frame.payload();
    int length = payload.readableBytes();
    if (length <= COPY_THRESHOLD) {
      ByteBuf buf = ctx.alloc().directBuffer(FrameDecoder.HEADER_SIZE + length);
      writeHeader(buf, frame, length);
      buf.writeBytes(payload, payload.readerIndex(), length);
      out.add(withFin(buf, frame));
    } else {
      ByteBuf header = ctx.alloc().directBuffer(FrameDecoder.HEADER_SIZE);
      writeHeader(header, frame, length);
      out.add(
          withFin(
              ctx.alloc().compositeDirectBuffer(2).addComponents(true, header, payload.retain()),
              frame));
    }
  }

  /** The bytes as they go to the stream: with FIN in the same STREAM frame for a last frame. */
  private static Object withFin(ByteBuf bytes, Frame frame) {
    return frame.fin() ? new DefaultQuicStreamFrame(bytes, true) : bytes;
  }

  /** Writes the 24-byte header of a frame whose payload is {@code length} bytes. */
  private static void writeHeader(ByteBuf buf, Frame frame, int length) {
    buf.writeByte(FrameDecoder.VERSION);
    buf.writeByte(frame.type().code());
    buf.writeInt(length);
    buf.writeLong(frame.requestId().getMostSignificantBits());
    buf.writeLong(frame.requestId().getLeastSignificantBits());
    buf.writeShort(0);
  }
}
