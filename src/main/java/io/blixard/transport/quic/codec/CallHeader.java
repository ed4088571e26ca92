package io.blixard.transport.quic.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * The call header at the start of a REQUEST payload (docs/protocol.md §3): the method, the timeout
 * and the metadata; the first request message follows it.
 *
 * <pre>
 * 2     method length M
 * M     method, UTF-8: "package.Service/Method"
 * 4     timeout in milliseconds, 0 = none
 * 2     metadata entry count K
 * K x   (2 key length, key UTF-8 lower-case, 2 value length, value UTF-8)
 * </pre>
 */
public record CallHeader(String method, long timeoutMillis, Map<String, String> metadata) {

  private static final long MAX_TIMEOUT_MILLIS = 0xffff_ffffL;

  public CallHeader {
    Objects.requireNonNull(method, "method");
    metadata = Map.copyOf(metadata);
    if (timeoutMillis < 0 || timeoutMillis > MAX_TIMEOUT_MILLIS) {
      throw new IllegalArgumentException(
          "timeoutMillis: " + timeoutMillis + " (expected: 0 to " + MAX_TIMEOUT_MILLIS + ")");
    }
  }

  /** The service part of the method name, e.g. {@code blixard.health.v1.HealthService}. */
  public String serviceName() {
    int slash = method.lastIndexOf('/');
    return slash < 0 ? method : method.substring(0, slash);
  }

  /** Writes this header; the first request message is to follow it in the same payload. */
  public void writeTo(ByteBuf buf) {
    writeString(buf, method);
    buf.writeInt((int) timeoutMillis);
    buf.writeShort(metadata.size());
    metadata.forEach(
        (key, value) -> {
          writeString(buf, key);
          writeString(buf, value);
        });
  }

  /** The number of bytes {@link #writeTo} writes. */
  public int encodedSize() {
    int size = 2 + ByteBufUtil.utf8Bytes(method) + 4 + 2;
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      size += 2 + ByteBufUtil.utf8Bytes(e.getKey()) + 2 + ByteBufUtil.utf8Bytes(e.getValue());
    }
    return size;
  }

  /**
   * Reads a header from the start of a REQUEST payload, leaving the reader index at the first
   * message.
   *
   * @throws IllegalArgumentException naming what is malformed
   */
  public static CallHeader readFrom(ByteBuf buf) {
    String method = readString(buf, "method");
    if (method.isEmpty() || method.indexOf('/') <= 0 || method.endsWith("/")) {
      throw new IllegalArgumentException(
          "malformed call header: method \"" + method + "\" (expected: package.Service/Method)");
    }
    require(buf, 4, "timeout");
    long timeout = buf.readUnsignedInt();
    require(buf, 2, "metadata count");
    int count = buf.readUnsignedShort();
    Map<String, String> metadata = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      String key = readString(buf, "metadata key " + i).toLowerCase(Locale.ROOT);
      metadata.put(key, readString(buf, "metadata value " + i));
    }
    return new CallHeader(method, timeout, metadata);
  }

  private static void writeString(ByteBuf buf, String value) {
    int lengthIndex = buf.writerIndex();
    buf.writeShort(0);
    int written = buf.writeCharSequence(value, StandardCharsets.UTF_8);
    if (written > 0xffff) {
      throw new IllegalArgumentException(
          "string of " + written + " bytes in a call header (expected: at most 65535)");
    }
    buf.setShort(lengthIndex, written);
  }

  private static String readString(ByteBuf buf, String what) {
    require(buf, 2, what + " length");
    int length = buf.readUnsignedShort();
    require(buf, length, what);
    return buf.readCharSequence(length, StandardCharsets.UTF_8).toString();
  }

  private static void require(ByteBuf buf, int bytes, String what) {
    if (buf.readableBytes() < bytes) {
      throw new IllegalArgumentException(
          "malformed call header: "
              + what
              + " needs "
              + bytes
              + " bytes but the payload has "
              + buf.readableBytes()
              + " left");
    }
  }
}
