package io.blixard.transport.quic.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.grpc.Status;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The decoder counts an unfinished frame against the budget its {@link StreamBudget} chooses from
 * the method the REQUEST names, waiting for the method's bytes when they come apart from the
 * header.
 */
class FrameDecoderBudgetTest {

  private static final String RAFT = "blixard.raft.v1.RaftService/AppendEntries";

  private final InboundBudget clients = InboundBudget.of("clients", 10_000);
  private final InboundBudget raft = InboundBudget.of("raft", 10_000);
  private final List<String> asked = new ArrayList<>();

  private EmbeddedChannel decoder() {
    return new EmbeddedChannel(
        new FrameDecoder(
            8192,
            method -> {
              asked.add(method);
              return RAFT.equals(method) ? raft : clients;
            },
            0));
  }

  /** The first {@code bytes} of a REQUEST of {@code payload} bytes naming {@code method}. */
  private static ByteBuf requestStart(String method, int payload) {
    ByteBuf buf = Unpooled.buffer();
    buf.writeByte(1).writeByte(FrameType.REQUEST.code()).writeInt(payload);
    buf.writeLong(1).writeLong(2).writeShort(0);
    byte[] name = method.getBytes(StandardCharsets.UTF_8);
    return buf.writeShort(name.length).writeBytes(name).writeInt(0).writeShort(0);
  }

  @Test
  void shouldCountAnUnfinishedRequestAgainstTheBudgetItsMethodChooses() {
    EmbeddedChannel channel = decoder();
    channel.writeInbound(requestStart(RAFT, 4000));

    assertThat(asked).containsExactly(RAFT);
    assertThat(raft.used()).isEqualTo(24 + 4000);
    assertThat(clients.used()).isZero();
    channel.finishAndReleaseAll();
    assertThat(raft.used()).isZero();
  }

  @Test
  void shouldWaitForTheMethodsBytesBeforeChoosing() {
    EmbeddedChannel channel = decoder();
    ByteBuf whole = requestStart(RAFT, 4000);
    // The header and half of the method name first.
    channel.writeInbound(whole.readRetainedSlice(24 + 2 + 10));
    assertThat(asked).isEmpty();
    assertThat(raft.used() + clients.used()).isZero();

    channel.writeInbound(whole);
    assertThat(asked).containsExactly(RAFT);
    assertThat(raft.used()).isEqualTo(24 + 4000);
    channel.finishAndReleaseAll();
  }

  @Test
  void shouldChooseOnceForTheStreamAndNameNoMethodForOtherFrames() {
    EmbeddedChannel channel = decoder();
    ByteBuf data = Unpooled.buffer();
    data.writeByte(1).writeByte(FrameType.STREAM_DATA.code()).writeInt(4000);
    data.writeLong(1).writeLong(2).writeShort(0).writeBytes(new byte[100]);
    channel.writeInbound(data);

    assertThat(asked).hasSize(1).containsNull();
    assertThat(clients.used()).isEqualTo(24 + 4000);
    channel.finishAndReleaseAll();
  }

  @Test
  void shouldRefuseAFrameTheChosenBudgetHasNoRoomFor() {
    raft.reserve(9_000);
    EmbeddedChannel channel = decoder();
    channel.writeInbound(requestStart(RAFT, 4000));

    FrameError error = channel.readInbound();
    assertThat(error.code()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
    assertThat(error.message()).contains("(raft)");
    assertThat(clients.used()).isZero();
    channel.finishAndReleaseAll();
  }
}
