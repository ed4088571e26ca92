package io.blixard.transport.quic.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.transport.quic.EchoTestService;
import io.blixard.transport.quic.QuicLoopback;
import io.blixard.transport.quic.QuicSendWatchdog;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.netty.incubator.codec.quic.QuicChannel;
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

/**
 * The send watchdog's cost at rest follows what the peer has not answered, not what is open: a call
 * that stays open but quiet, its last message answered, leaves the connection's watchdog idle.
 */
@Timeout(60)
class QuicSendWatchdogAtRestTest {

  @TempDir Path tmp;

  @Test
  void shouldStopTickingWhileAnOpenCallHasNothingUnanswered() throws Exception {
    try (QuicLoopback loopback = new QuicLoopback(tmp, List.of(new EchoTestService()))) {
      BlockingQueue<String> messages = new LinkedBlockingQueue<>();
      CompletableFuture<Status> closed = new CompletableFuture<>();
      ClientCall<EchoRequest, EchoResponse> call =
          loopback
              .channel()
              .newCall(
                  EchoServiceGrpc.getBidiMethod(),
                  CallOptions.DEFAULT.withDeadlineAfter(50, TimeUnit.SECONDS));
      call.start(
          new ClientCall.Listener<>() {
            @Override
            public void onMessage(EchoResponse message) {
              messages.add(message.getText());
            }

            @Override
            public void onClose(Status status, Metadata trailers) {
              closed.complete(status);
            }
          },
          new Metadata());
      call.request(10);
      call.sendMessage(EchoRequest.newBuilder().setText("one").build());
      assertThat(messages.poll(10, TimeUnit.SECONDS)).isEqualTo("one");
      QuicChannel quic = loopback.pool.connection(loopback.target()).join().channel();

      // The call stays open and quiet; what it wrote was answered.
      await().atMost(Duration.ofSeconds(20)).until(() -> onLoop(quic, () -> resting(quic)));
      long ticks = onLoop(quic, () -> QuicSendWatchdog.ticks(quic));

      // A new message wakes it; its answer lets it rest again.
      call.sendMessage(EchoRequest.newBuilder().setText("two").build());
      assertThat(messages.poll(10, TimeUnit.SECONDS)).isEqualTo("two");
      await().atMost(Duration.ofSeconds(20)).until(() -> onLoop(quic, () -> resting(quic)));
      assertThat(onLoop(quic, () -> QuicSendWatchdog.ticks(quic))).isGreaterThan(ticks);

      call.halfClose();
      assertThat(closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    }
  }

  /** Not ticking, and no stream with a write the server has not answered. */
  private static boolean resting(QuicChannel quic) {
    return !QuicSendWatchdog.isTicking(quic) && QuicSendWatchdog.unanswered(quic) == 0;
  }

  private static <T> T onLoop(QuicChannel quic, java.util.concurrent.Callable<T> read)
      throws Exception {
    return quic.eventLoop().submit(read).get(5, TimeUnit.SECONDS);
  }
}
