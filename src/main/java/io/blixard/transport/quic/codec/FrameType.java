package io.blixard.transport.quic.codec;

/** The frame types of Blixard RPC v1 (docs/protocol.md §3). */
public enum FrameType {
  REQUEST(1),
  RESPONSE(2),
  ERROR(3),
  STREAM_DATA(4),
  STREAM_END(5),
  PING(6),
  PONG(7),
  CANCEL(8);

  private static final FrameType[] BY_CODE = new FrameType[9];

  static {
    for (FrameType type : values()) {
      BY_CODE[type.code] = type;
    }
  }

  private final int code;

  FrameType(int code) {
    this.code = code;
  }

  /** The type byte on the wire. */
  public int code() {
    return code;
  }

  /** The type of a type byte, or null when v1 has no such type. */
  public static FrameType of(int code) {
    return code > 0 && code < BY_CODE.length ? BY_CODE[code] : null;
  }
}
