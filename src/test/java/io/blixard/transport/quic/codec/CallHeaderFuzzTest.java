package io.blixard.transport.quic.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.util.Locale;
import java.util.Map;

/**
 * Fuzzes {@link CallHeader#readFrom} with arbitrary REQUEST payloads: it either refuses them with
 * an {@link IllegalArgumentException} saying "malformed call header" (what {@code QuicCallHandler}
 * answers INVALID_ARGUMENT with) or reads a header of docs/protocol.md §3 (a method {@code
 * package.Service/Method}, lower-case metadata keys), stops where the first message starts, and
 * writes it back to bytes that read as the same header. Regression inputs: {@code
 * CallHeaderFuzzTestInputs/readFrom/}.
 */
class CallHeaderFuzzTest {

  @FuzzTest(maxExecutions = 2_000_000, maxDuration = "10m")
  void readFrom(byte[] payload) {
    ByteBuf buf = Unpooled.wrappedBuffer(payload);
    CallHeader header;
    try {
      header = CallHeader.readFrom(buf);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).startsWith("malformed call header: ");
      return;
    }
    int consumed = buf.readerIndex();
    assertThat(consumed).isLessThanOrEqualTo(payload.length);
    assertThat(header.method()).contains("/").doesNotStartWith("/").doesNotEndWith("/");
    assertThat(header.timeoutMillis()).isBetween(0L, 0xffff_ffffL);
    header.metadata().keySet().forEach(k -> assertThat(k).isEqualTo(k.toLowerCase(Locale.ROOT)));
    assertThat(header.serviceName()).isNotEmpty();

    // Every string read was at most 65535 bytes, but bytes that are not UTF-8 read as U+FFFD,
    // three bytes each: only a header whose strings still fit can be written again.
    if (!fits(header)) {
      assertThatCode(() -> header.writeTo(Unpooled.buffer()))
          .isInstanceOf(IllegalArgumentException.class);
      return;
    }
    ByteBuf again = Unpooled.buffer(header.encodedSize());
    header.writeTo(again);
    assertThat(again.readableBytes()).isEqualTo(header.encodedSize());
    assertThat(CallHeader.readFrom(again)).isEqualTo(header);
    assertThat(again.isReadable()).isFalse();
  }

  private static boolean fits(CallHeader header) {
    if (ByteBufUtil.utf8Bytes(header.method()) > 0xffff) {
      return false;
    }
    for (Map.Entry<String, String> e : header.metadata().entrySet()) {
      if (ByteBufUtil.utf8Bytes(e.getKey()) > 0xffff
          || ByteBufUtil.utf8Bytes(e.getValue()) > 0xffff) {
        return false;
      }
    }
    return true;
  }
}
