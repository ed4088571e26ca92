package io.blixard.transport.quic.codec;

import io.grpc.Status;

/**
 * What the decoder hands on instead of a frame when the bytes on a stream break the protocol: the
 * status to answer with (docs/protocol.md §5). The decoder reads nothing more from that stream.
 */
public record FrameError(Status.Code code, String message, Reason reason) {

  /** Why a frame was rejected; the tag of the rejected-frames metric. */
  public enum Reason {
    VERSION,
    TYPE,
    FLAGS,
    OVERSIZED,
    TRUNCATED,
    ORDER,
    MALFORMED,
    /** The node's or the connection's inbound byte budget had no room for the frame. */
    BUDGET,
    /** A frame begun was not finished within the frame timeout. */
    TIMEOUT;

    /**
     * Whether the frame was refused for a limit of the node's rather than for breaking the
     * protocol.
     */
    public boolean overLimit() {
      return this == BUDGET || this == TIMEOUT;
    }

    /** Lower-case form for metric tags. */
    public String tag() {
      return name().toLowerCase(java.util.Locale.ROOT);
    }
  }

  public Status toStatus() {
    return Status.fromCode(code).withDescription(message);
  }
}
