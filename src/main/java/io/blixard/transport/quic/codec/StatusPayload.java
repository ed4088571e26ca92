package io.blixard.transport.quic.codec;

import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;

/**
 * The status carried by ERROR (and optionally STREAM_END) frames (docs/protocol.md §3): a gRPC
 * status code, a human-readable message of at most 1 KiB, then optional details.
 *
 * <pre>
 * 2     code
 * 2     message length, then the message, UTF-8
 * rest  details (google.rpc.Status), may be empty
 * </pre>
 */
public final class StatusPayload {

  /** The longest message, in UTF-8 bytes, a status carries. */
  public static final int MAX_MESSAGE_BYTES = 1024;

  private StatusPayload() {}

  /** Writes a status without details; a longer description is cut at 1 KiB. */
  public static void writeTo(ByteBuf buf, Status status) {
    buf.writeShort(status.getCode().value());
    String message = status.getDescription() == null ? "" : status.getDescription();
    byte[] bytes = message.getBytes(StandardCharsets.UTF_8);
    int length = cut(bytes);
    buf.writeShort(length);
    buf.writeBytes(bytes, 0, length);
  }

  /** How many of {@code bytes} fit in 1 KiB without cutting a multi-byte character in half. */
  private static int cut(byte[] bytes) {
    int length = Math.min(bytes.length, MAX_MESSAGE_BYTES);
    if (length < bytes.length) {
      while (length > 0 && (bytes[length] & 0xc0) == 0x80) {
        length--;
      }
    }
    return length;
  }

  /** The size {@link #writeTo} needs at most for this status. */
  public static int maxEncodedSize(Status status) {
    String message = status.getDescription() == null ? "" : status.getDescription();
    return 4 + Math.min(ByteBufUtil.utf8MaxBytes(message), MAX_MESSAGE_BYTES + 4);
  }

  /** Reads a status; an empty payload means OK. Details, if any, are skipped. */
  public static Status readFrom(ByteBuf buf) {
    if (!buf.isReadable()) {
      return Status.OK;
    }
    if (buf.readableBytes() < 4) {
      return Status.INTERNAL.withDescription(
          "malformed status: " + buf.readableBytes() + " bytes (expected: at least 4)");
    }
    int code = buf.readUnsignedShort();
    int length = buf.readUnsignedShort();
    if (buf.readableBytes() < length) {
      return Status.INTERNAL.withDescription(
          "malformed status: message of "
              + length
              + " bytes but "
              + buf.readableBytes()
              + " bytes left");
    }
    // A peer's message longer than the protocol's 1 KiB is cut there, as this side writes it.
    byte[] bytes = new byte[length];
    buf.readBytes(bytes);
    String message = new String(bytes, 0, cut(bytes), StandardCharsets.UTF_8);
    buf.skipBytes(buf.readableBytes());
    Status status = Status.fromCodeValue(code);
    return message.isEmpty() ? status : status.withDescription(message);
  }
}
