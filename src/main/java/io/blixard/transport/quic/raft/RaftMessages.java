package io.blixard.transport.quic.raft;

import com.google.protobuf.UnsafeByteOperations;
import io.blixard.proto.raft.v1.RaftMessage;
import io.grpc.Status;
import org.apache.ratis.thirdparty.com.google.protobuf.InvalidProtocolBufferException;
import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;
import org.apache.ratis.thirdparty.com.google.protobuf.Parser;

/**
 * Ratis's (shaded) protobuf messages in and out of {@link RaftMessage}: serialized as Ratis writes
 * them, parsed back with the message's own parser. No field is converted by hand.
 */
final class RaftMessages {

  private RaftMessages() {}

  /** {@code message} serialized into a {@link RaftMessage}. */
  static RaftMessage wrap(MessageLite message) {
    // The array is this message's alone: wrapping it without a copy is safe.
    return RaftMessage.newBuilder()
        .setRatis(UnsafeByteOperations.unsafeWrap(message.toByteArray()))
        .build();
  }

  /**
   * The Ratis message {@code message} carries.
   *
   * @throws io.grpc.StatusRuntimeException INVALID_ARGUMENT when the bytes are not such a message
   */
  static <T> T unwrap(RaftMessage message, Parser<T> parser, String what) {
    try {
      return parser.parseFrom(message.getRatis().asReadOnlyByteBuffer());
    } catch (InvalidProtocolBufferException e) {
      throw Status.INVALID_ARGUMENT
          .withDescription(
              "the payload is not a Ratis " + what + " (expected: its serialized protobuf): " + e)
          .asRuntimeException();
    }
  }
}
