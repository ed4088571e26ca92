package io.blixard.support;

import io.grpc.MethodDescriptor;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/** gRPC methods whose messages are the bytes as they are, to send what no stub would. */
public final class RawMethods {

  /** Bytes in, bytes out, unparsed. */
  public static final MethodDescriptor.Marshaller<byte[]> BYTES =
      new MethodDescriptor.Marshaller<>() {
        @Override
        public InputStream stream(byte[] value) {
          return new ByteArrayInputStream(value);
        }

        @Override
        public byte[] parse(InputStream stream) {
          try {
            return stream.readAllBytes();
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      };

  private RawMethods() {}

  /** The method {@code fullMethodName} of this type, with raw messages. */
  public static MethodDescriptor<byte[], byte[]> of(
      String fullMethodName, MethodDescriptor.MethodType type) {
    return MethodDescriptor.<byte[], byte[]>newBuilder(BYTES, BYTES)
        .setFullMethodName(fullMethodName)
        .setType(type)
        .build();
  }

  /** {@code typed} with raw messages. */
  public static MethodDescriptor<byte[], byte[]> of(MethodDescriptor<?, ?> typed) {
    return typed.toBuilder(BYTES, BYTES).build();
  }
}
