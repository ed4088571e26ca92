package io.blixard.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.transport.quic.client.QuicClientSettings;
import io.blixard.transport.quic.codec.Frame;
import io.blixard.transport.quic.codec.FrameType;
import io.blixard.transport.quic.codec.Frames;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import java.io.ByteArrayInputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Frames a client sends out of order after its call began (docs/protocol.md §5: "frame out of
 * order" is an ERROR INVALID_ARGUMENT): the handler never sees them, the connection goes on.
 */
@Timeout(60)
class QuicFrameOrderTest {

  private static final String UNARY = "blixard.test.v1.EchoService/Unary";
  private static final String BIDI = "blixard.test.v1.EchoService/Bidi";

  @TempDir Path tmp;

  private final Recording service = new Recording();
  private QuicLoopback loopback;
  private RawQuicClient client;

  @BeforeEach
  void start() throws Exception {
    loopback =
        new QuicLoopback(
            tmp,
            List.of(service),
            QuicLoopback.properties(
                QuicTransportProperties.ClientAuth.NONE, Duration.ofSeconds(30)),
            QuicClientSettings.defaults(),
            false);
    client = new RawQuicClient(loopback.server.port(), QuicAlpn.RPC);
  }

  @AfterEach
  void stop() {
    client.close();
    loopback.close();
  }

  @Test
  void shouldRefuseStreamDataAfterStreamEnd() throws Exception {
    RawQuicClient.RawStream stream = client.open();
    UUID id = UUID.randomUUID();
    ByteBuf frames = RawQuicClient.request(id, BIDI, 0, new byte[0]);
    frames.writeBytes(
        RawQuicClient.encode(Frames.empty(ByteBufAllocator.DEFAULT, FrameType.STREAM_END, id)));
    frames.writeBytes(RawQuicClient.encode(data(id, "late")));
    stream.write(frames);

    Status status = RawQuicClient.errorOf(stream);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).isEqualTo("STREAM_DATA after STREAM_END");
    assertThat(service.events).doesNotContain("message late");
    client.assertStillServes();
  }

  @Test
  void shouldRefuseASecondStreamEnd() throws Exception {
    RawQuicClient.RawStream stream = client.open();
    UUID id = UUID.randomUUID();
    ByteBuf frames = RawQuicClient.request(id, BIDI, 0, new byte[0]);
    frames.writeBytes(
        RawQuicClient.encode(Frames.empty(ByteBufAllocator.DEFAULT, FrameType.STREAM_END, id)));
    frames.writeBytes(
        RawQuicClient.encode(Frames.empty(ByteBufAllocator.DEFAULT, FrameType.STREAM_END, id)));
    stream.write(frames);

    Status status = RawQuicClient.errorOf(stream);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription()).isEqualTo("a second STREAM_END");
    client.assertStillServes();
  }

  @Test
  void shouldRefuseStreamEndOnACallWithOneRequestMessage() throws Exception {
    RawQuicClient.RawStream stream = client.open();
    UUID id = UUID.randomUUID();
    // The handler takes a second, so the STREAM_END arrives while the call runs.
    ByteBuf frames =
        RawQuicClient.request(
            id, UNARY, 10_000, EchoRequest.newBuilder().setCount(1000).build().toByteArray());
    frames.writeBytes(
        RawQuicClient.encode(Frames.empty(ByteBufAllocator.DEFAULT, FrameType.STREAM_END, id)));
    stream.write(frames);

    Status status = RawQuicClient.errorOf(stream);
    assertThat(status.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(status.getDescription())
        .isEqualTo(
            "STREAM_END on blixard.test.v1.EchoService/Unary, which takes one request message"
                + " (expected: FIN after the REQUEST)");
    client.assertStillServes();
  }

  private static Frame data(UUID id, String text) {
    return Frames.message(
        ByteBufAllocator.DEFAULT,
        FrameType.STREAM_DATA,
        id,
        new ByteArrayInputStream(EchoRequest.newBuilder().setText(text).build().toByteArray()));
  }

  /** Records what its handlers see; a bidi call stays open after the client's half-close. */
  static final class Recording extends EchoServiceGrpc.EchoServiceImplBase {

    final List<String> events = new CopyOnWriteArrayList<>();

    @Override
    public void unary(EchoRequest request, StreamObserver<EchoResponse> observer) {
      try {
        Thread.sleep(request.getCount());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      if (!io.grpc.Context.current().isCancelled()) {
        observer.onNext(EchoResponse.newBuilder().setText(request.getText()).build());
        observer.onCompleted();
      }
    }

    @Override
    public StreamObserver<EchoRequest> bidi(StreamObserver<EchoResponse> observer) {
      return new StreamObserver<>() {
        @Override
        public void onNext(EchoRequest value) {
          events.add("message " + value.getText());
        }

        @Override
        public void onError(Throwable t) {
          events.add("cancel");
        }

        @Override
        public void onCompleted() {
          events.add("half-close");
        }
      };
    }
  }
}
