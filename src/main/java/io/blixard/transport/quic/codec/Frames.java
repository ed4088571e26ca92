package io.blixard.transport.quic.codec;

import io.grpc.Drainable;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Builds the frames of a call, serializing messages straight into the frame's buffer so that a
 * message is copied once, from the marshaller into the buffer that goes to QUIC.
 */
public final class Frames {

  private Frames() {}

  /**
   * A new request id: a random (version 4) UUID from the thread's own generator. Request ids tell
   * calls apart in logs and frames; they are not secrets, so they need not cost a SecureRandom.
   */
  public static UUID newRequestId() {
    ThreadLocalRandom random = ThreadLocalRandom.current();
    long high = (random.nextLong() & ~0xF000L) | 0x4000L;
    long low = (random.nextLong() & 0x3FFFFFFFFFFFFFFFL) | 0x8000000000000000L;
    return new UUID(high, low);
  }

  /** A REQUEST frame: the call header, then the first message if there is one. */
  public static Frame request(
      ByteBufAllocator alloc, UUID requestId, CallHeader header, InputStream firstMessage) {
    ByteBuf buf = alloc.directBuffer(header.encodedSize() + sizeHint(firstMessage));
    try {
      header.writeTo(buf);
      if (firstMessage != null) {
        writeMessage(buf, firstMessage);
      }
      return new Frame(FrameType.REQUEST, requestId, buf);
    } catch (RuntimeException e) {
      buf.release();
      throw e;
    }
  }

  /** A RESPONSE or STREAM_DATA frame carrying one message. */
  public static Frame message(
      ByteBufAllocator alloc, FrameType type, UUID requestId, InputStream message) {
    ByteBuf buf = alloc.directBuffer(sizeHint(message));
    try {
      writeMessage(buf, message);
      return new Frame(type, requestId, buf);
    } catch (RuntimeException e) {
      buf.release();
      throw e;
    }
  }

  /** An ERROR frame, or a STREAM_END frame for OK. */
  public static Frame status(ByteBufAllocator alloc, UUID requestId, Status status) {
    if (status.isOk()) {
      return empty(alloc, FrameType.STREAM_END, requestId);
    }
    ByteBuf buf = alloc.directBuffer(StatusPayload.maxEncodedSize(status));
    StatusPayload.writeTo(buf, status);
    return new Frame(FrameType.ERROR, requestId, buf);
  }

  /** A frame with no payload (STREAM_END, CANCEL). */
  public static Frame empty(ByteBufAllocator alloc, FrameType type, UUID requestId) {
    return new Frame(type, requestId, alloc.directBuffer(0, 0));
  }

  private static int sizeHint(InputStream message) {
    if (message == null) {
      return 0;
    }
    try {
      return Math.max(message.available(), 0);
    } catch (IOException e) {
      return 0;
    }
  }

  private static void writeMessage(ByteBuf buf, InputStream message) {
    try (ByteBufOutputStream out = new ByteBufOutputStream(buf)) {
      if (message instanceof Drainable drainable) {
        drainable.drainTo(out);
      } else {
        message.transferTo(out);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot serialize a message: " + e.getMessage(), e);
    }
  }
}
