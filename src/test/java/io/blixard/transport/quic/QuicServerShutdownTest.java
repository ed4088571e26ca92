package io.blixard.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.transport.quic.client.QuicClientSettings;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/**
 * Stopping the QUIC server: calls in flight run on through the grace period (receiving as well as
 * sending), and those still open when it ends are cancelled on both sides.
 */
@Timeout(60)
class QuicServerShutdownTest {

  @TempDir Path tmp;

  private final EchoTestService echo = new EchoTestService();

  private QuicLoopback loopback(Duration gracePeriod) {
    var properties =
        new QuicTransportProperties(
            0,
            "127.0.0.1",
            List.of(QuicAlpn.RPC),
            QuicTransportProperties.ClientAuth.NONE,
            DataSize.ofMegabytes(4),
            100,
            Duration.ofSeconds(30),
            DataSize.ofMegabytes(8),
            DataSize.ofMegabytes(32),
            4,
            gracePeriod,
            true,
            1000,
            100,
            DataSize.ofMegabytes(256),
            DataSize.ofMegabytes(128),
            Duration.ofSeconds(10));
    return new QuicLoopback(tmp, List.of(echo), properties, QuicClientSettings.defaults(), false);
  }

  /** A bidi call whose messages and close land in queues. */
  private static final class Bidi extends ClientCall.Listener<EchoResponse> {
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Status> closed = new CompletableFuture<>();
    final ClientCall<EchoRequest, EchoResponse> call;

    Bidi(QuicLoopback loopback) {
      call =
          loopback
              .channel()
              .newCall(
                  EchoServiceGrpc.getBidiMethod(),
                  CallOptions.DEFAULT.withDeadlineAfter(30, TimeUnit.SECONDS));
      call.start(this, new Metadata());
      call.request(100);
    }

    String echo(String text) throws InterruptedException {
      call.sendMessage(EchoRequest.newBuilder().setText(text).build());
      return messages.poll(10, TimeUnit.SECONDS);
    }

    @Override
    public void onMessage(EchoResponse message) {
      messages.add(message.getText());
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      closed.complete(status);
    }
  }

  @Test
  void shouldLetAStreamingCallReceiveAndCompleteDuringTheGracePeriod() throws Exception {
    try (QuicLoopback loopback = loopback(Duration.ofSeconds(20))) {
      Bidi bidi = new Bidi(loopback);
      assertThat(bidi.echo("before")).isEqualTo("before");

      CompletableFuture<Void> stopped = CompletableFuture.runAsync(loopback.server::stop);
      await().atMost(Duration.ofSeconds(10)).until(() -> !loopback.server.isRunning());

      assertThat(bidi.echo("during")).isEqualTo("during");
      bidi.call.halfClose();
      assertThat(bidi.closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
      // The grace period ends with the last call, not at its full length.
      stopped.get(15, TimeUnit.SECONDS);
    }
  }

  @Test
  void shouldCancelTheCallsStillOpenWhenTheGracePeriodEnds() throws Exception {
    try (QuicLoopback loopback = loopback(Duration.ofMillis(500))) {
      Bidi bidi = new Bidi(loopback);
      assertThat(bidi.echo("before")).isEqualTo("before");

      loopback.server.stop();

      Status status = bidi.closed.get(10, TimeUnit.SECONDS);
      assertThat(status.getCode()).isEqualTo(Status.Code.UNAVAILABLE);
      assertThat(status.getDescription())
          .isEqualTo("the QUIC server shut down before the call completed");
      assertThat(echo.cancelled.await(10, TimeUnit.SECONDS)).isTrue();
    }
  }
}
