package io.blixard.transport.quic.codec;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import java.nio.charset.StandardCharsets;

/**
 * Fuzzes the status payload of ERROR and STREAM_END frames (docs/protocol.md §3): {@link
 * StatusPayload#readFrom} turns any bytes into a status, never an exception (a payload that is not
 * a status is INTERNAL "malformed status"), with a message of at most 1 KiB; and a status written
 * by {@link StatusPayload#writeTo} reads back with its code and its message (cut at 1 KiB).
 * Regression inputs: {@code StatusPayloadFuzzTestInputs/<method>/}.
 */
class StatusPayloadFuzzTest {

  @FuzzTest(maxExecutions = 2_000_000, maxDuration = "10m")
  void readFrom(byte[] payload) {
    ByteBuf buf = Unpooled.wrappedBuffer(payload);
    Status status = StatusPayload.readFrom(buf);

    assertThat(status).isNotNull();
    String description = status.getDescription();
    if (payload.length == 0) {
      assertThat(status.isOk()).isTrue();
      return;
    }
    boolean wellFormed =
        payload.length >= 4 && ((payload[2] & 0xff) << 8 | payload[3] & 0xff) <= payload.length - 4;
    if (!wellFormed) {
      assertThat(status.getCode()).isEqualTo(Status.Code.INTERNAL);
      assertThat(description).startsWith("malformed status: ");
      return;
    }
    int code = (payload[0] & 0xff) << 8 | payload[1] & 0xff;
    assertThat(status.getCode()).isEqualTo(Status.fromCodeValue(code).getCode());
    assertThat(buf.isReadable()).as("details left unread").isFalse();
    if (description != null) {
      // Each byte on the wire reads as at most one character.
      assertThat(description.length())
          .as("message characters (at most 1 KiB on the wire, docs/protocol.md §3)")
          .isLessThanOrEqualTo(StatusPayload.MAX_MESSAGE_BYTES);
    }
  }

  @FuzzTest(maxExecutions = 1_000_000, maxDuration = "10m")
  void writeThenRead(FuzzedDataProvider data) {
    Status.Code code = data.pickValue(Status.Code.values());
    String message = data.consumeRemainingAsString();
    Status sent = Status.fromCode(code).withDescription(message);
    ByteBuf buf = Unpooled.buffer(StatusPayload.maxEncodedSize(sent));
    StatusPayload.writeTo(buf, sent);
    assertThat(buf.readableBytes()).isLessThanOrEqualTo(StatusPayload.maxEncodedSize(sent));

    Status read = StatusPayload.readFrom(buf);
    assertThat(read.getCode()).isEqualTo(code);
    byte[] sentBytes = message.getBytes(StandardCharsets.UTF_8);
    String readMessage = read.getDescription() == null ? "" : read.getDescription();
    byte[] readBytes = readMessage.getBytes(StandardCharsets.UTF_8);
    assertThat(readBytes.length).isLessThanOrEqualTo(StatusPayload.MAX_MESSAGE_BYTES);
    // The message read is the one sent, or its start cut at a character boundary.
    assertThat(sentBytes).startsWith(readBytes);
    if (sentBytes.length <= StatusPayload.MAX_MESSAGE_BYTES) {
      assertThat(readBytes).hasSameSizeAs(sentBytes);
    } else {
      assertThat(readBytes.length).isGreaterThan(StatusPayload.MAX_MESSAGE_BYTES - 4);
    }
    assertThat(ByteBufUtil.isText(Unpooled.wrappedBuffer(readBytes), StandardCharsets.UTF_8))
        .isTrue();
  }
}
