package io.blixard.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The inbound queue both sides of a QUIC call use, on a direct executor and an embedded stream. */
class InboundMessagesTest {

  private final List<String> delivered = new ArrayList<>();
  private final EmbeddedChannel stream = new EmbeddedChannel();
  private final InboundMessages inbound =
      new InboundMessages(
          Runnable::run,
          new InboundMessages.Sink() {
            @Override
            public void onMessage(ByteBuf message) {
              delivered.add(message.toString(StandardCharsets.UTF_8));
              message.release();
            }

            @Override
            public void onEnd() {
              delivered.add("end");
            }
          });

  private static ByteBuf message(String text) {
    return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
  }

  @Test
  void shouldDeliverOnlyWhatWasRequestedAndTheEndAfterTheLastMessage() {
    inbound.add(message("a"));
    inbound.add(message("b"));
    inbound.end();
    assertThat(delivered).isEmpty();

    inbound.request(1);
    assertThat(delivered).containsExactly("a");

    inbound.request(5);
    assertThat(delivered).containsExactly("a", "b", "end");
    assertThat(inbound.end()).isFalse();
  }

  @Test
  void shouldStopTheStreamReadingAtTheHighWaterMarkAndResumeBelowTheLowOne() {
    inbound.attach(stream);
    for (int i = 0; i < InboundMessages.HIGH_WATER; i++) {
      assertThat(stream.config().isAutoRead()).isTrue();
      inbound.add(message("m" + i));
    }
    assertThat(stream.config().isAutoRead()).isFalse();

    inbound.request(InboundMessages.HIGH_WATER - InboundMessages.LOW_WATER);
    assertThat(stream.config().isAutoRead()).isFalse();
    inbound.request(1);
    assertThat(stream.config().isAutoRead()).isTrue();
    assertThat(inbound.buffered()).isEqualTo(InboundMessages.LOW_WATER - 1);
    inbound.discard();
    assertThat(stream.finish()).isFalse();
  }

  @Test
  void shouldReleaseWhatWaitsAndWhatComesWhenDiscarded() {
    ByteBuf waiting = message("waiting");
    ByteBuf late = message("late");
    inbound.add(waiting);
    inbound.end();

    inbound.discard();
    inbound.add(late);
    inbound.request(10);

    assertThat(waiting.refCnt()).isZero();
    assertThat(late.refCnt()).isZero();
    assertThat(delivered).isEmpty();
  }

  @Test
  void shouldReleaseAMessageThatComesAfterTheEnd() {
    ByteBuf late = message("late");
    inbound.end();
    inbound.add(late);

    assertThat(late.refCnt()).isZero();
  }

  @Test
  void shouldRefuseARequestForNoMessages() {
    assertThatIllegalArgumentException()
        .isThrownBy(() -> inbound.request(0))
        .withMessage("numMessages: 0 (expected: > 0)");
  }
}
