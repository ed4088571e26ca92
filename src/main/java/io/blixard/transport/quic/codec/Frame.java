package io.blixard.transport.quic.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import java.util.Objects;
import java.util.UUID;

/**
 * One frame of a call: its type, the call's request id and the payload. Holds a reference to the
 * payload, which whoever consumes the frame releases.
 */
public final class Frame extends DefaultByteBufHolder {

  private final FrameType type;
  private final UUID requestId;

  public Frame(FrameType type, UUID requestId, ByteBuf payload) {
    super(payload);
    this.type = Objects.requireNonNull(type, "type");
    this.requestId = Objects.requireNonNull(requestId, "requestId");
  }

  public FrameType type() {
    return type;
  }

  public UUID requestId() {
    return requestId;
  }

  /** The payload bytes that follow the header. */
  public ByteBuf payload() {
    return content();
  }

  @Override
  public Frame replace(ByteBuf content) {
    return new Frame(type, requestId, content);
  }

  @Override
  public String toString() {
    return type + "(" + requestId + ", " + content().readableBytes() + " bytes)";
  }
}
