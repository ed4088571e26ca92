package io.blixard.transport.quic.codec;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.DefaultByteBufHolder;
import java.util.Objects;
import java.util.UUID;

/**
 * One frame of a call: its type, the call's request id and the payload. Holds a reference to the
 * payload, which whoever consumes the frame releases. A frame {@linkplain #last() marked last} goes
 * out with the stream's FIN in the same QUIC STREAM frame.
 */
public final class Frame extends DefaultByteBufHolder {

  private final FrameType type;
  private final UUID requestId;
  private final boolean fin;

  public Frame(FrameType type, UUID requestId, ByteBuf payload) {
    this(type, requestId, payload, false);
  }

  private Frame(FrameType type, UUID requestId, ByteBuf payload, boolean fin) {
    super(payload);
    this.type = Objects.requireNonNull(type, "type");
    this.requestId = Objects.requireNonNull(requestId, "requestId");
    this.fin = fin;
  }

  /**
   * This frame, to be written as the last one of its side of the stream: the encoder sends it
   * together with FIN, so that the end of the stream cannot be lost apart from its last bytes.
   */
  public Frame last() {
    return new Frame(type, requestId, content(), true);
  }

  /** Whether the stream's FIN goes out with this frame. */
  public boolean fin() {
    return fin;
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
    return new Frame(type, requestId, content, fin);
  }

  @Override
  public String toString() {
    return type
        + "("
        + requestId
        + ", "
        + content().readableBytes()
        + " bytes"
        + (fin ? ", FIN" : "")
        + ")";
  }
}
