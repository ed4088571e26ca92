package io.blixard.transport.quic.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.transport.quic.EchoTestService;
import io.blixard.transport.quic.QuicLoopback;
import io.blixard.transport.quic.QuicMetrics;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The pool's limits: backoff between failed dials, eviction, the maximum of connections. */
@Timeout(60)
class QuicConnectionPoolLimitsTest {

  @TempDir Path tmp;

  private static String echo(Channel channel, String text) {
    return EchoServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .unary(EchoRequest.newBuilder().setText(text).build())
        .getText();
  }

  /** A bidi call held open, its answers in a queue. */
  private static final class Held extends ClientCall.Listener<EchoResponse> {
    final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
    final CompletableFuture<Status> closed = new CompletableFuture<>();
    final ClientCall<EchoRequest, EchoResponse> call;

    Held(Channel channel) {
      call =
          channel.newCall(
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
  void shouldWaitOutABackoffBetweenFailedDialsToTheSameTarget() {
    AtomicLong now = new AtomicLong();
    SimpleMeterRegistry meters = new SimpleMeterRegistry();
    try (QuicConnectionPool pool =
        new QuicConnectionPool(QuicClientSettings.defaults(), null, meters, now::get)) {
      Channel nobody = pool.channel("127.0.0.1:9");
      for (int i = 0; i < 5; i++) {
        assertThatThrownBy(() -> echo(nobody, "nobody"))
            .isInstanceOfSatisfying(
                StatusRuntimeException.class,
                e ->
                    assertThat(e.getStatus().getDescription())
                        .isEqualTo(
                            "cannot connect over QUIC to 127.0.0.1:9: nothing listens on UDP port"
                                + " 9 (ICMP port unreachable)"));
      }
      // One dial; the calls after it failed at once with its failure.
      assertThat(dialFailures(meters)).isEqualTo(1);

      now.addAndGet(TimeUnit.MILLISECONDS.toNanos(DialBackoff.MAX_MILLIS * 2));
      assertThatThrownBy(() -> echo(nobody, "nobody")).isInstanceOf(StatusRuntimeException.class);
      assertThat(dialFailures(meters)).isEqualTo(2);
    }
  }

  @Test
  void shouldNeverEvictAConnectionACallHolds() throws Exception {
    QuicClientSettings d = QuicClientSettings.defaults();
    // Evicted as soon as it has no call.
    QuicClientSettings evictAtOnce =
        new QuicClientSettings(
            d.alpn(),
            d.maxFrameSize(),
            d.connectTimeout(),
            d.idleTimeout(),
            d.keepAliveInterval(),
            Duration.ZERO,
            d.maxConnections(),
            d.streamWindow(),
            d.connectionWindow());
    try (QuicLoopback loopback =
        new QuicLoopback(
            tmp,
            List.of(new EchoTestService()),
            QuicLoopback.properties(
                io.blixard.transport.quic.QuicTransportProperties.ClientAuth.NONE,
                Duration.ofSeconds(30)),
            evictAtOnce,
            false)) {
      Held held = new Held(loopback.channel());
      assertThat(held.echo("one")).isEqualTo("one");

      loopback.pool.sweep();

      assertThat(held.echo("two")).isEqualTo("two");
      held.call.halfClose();
      assertThat(held.closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
    }
  }

  @Test
  void shouldRefuseANewTargetWhenEveryPooledConnectionHasCallsInFlight() throws Exception {
    try (QuicLoopback first = new QuicLoopback(tmp.resolve("a"), List.of(new EchoTestService()));
        QuicLoopback second = new QuicLoopback(tmp.resolve("b"), List.of(new EchoTestService()));
        QuicConnectionPool pool =
            new QuicConnectionPool(
                QuicClientSettings.defaults().withMaxConnections(1),
                null,
                new SimpleMeterRegistry())) {
      Held held = new Held(pool.channel(first.target()));
      assertThat(held.echo("busy")).isEqualTo("busy");

      assertThatThrownBy(() -> echo(pool.channel(second.target()), "two"))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
                assertThat(e.getStatus().getDescription())
                    .endsWith(
                        "the client holds its maximum of 1 connections, each with calls in"
                            + " flight");
              });
      assertThat(pool.size()).isEqualTo(1);
      // The call in flight goes on; once it ends, its connection can make room.
      assertThat(held.echo("still")).isEqualTo("still");
      held.call.halfClose();
      assertThat(held.closed.get(10, TimeUnit.SECONDS).getCode()).isEqualTo(Status.Code.OK);
      org.awaitility.Awaitility.await()
          .atMost(Duration.ofSeconds(10))
          .ignoreExceptions()
          .until(() -> echo(pool.channel(second.target()), "two").equals("two"));
      assertThat(pool.size()).isEqualTo(1);
    }
  }

  private static double dialFailures(SimpleMeterRegistry meters) {
    return meters.get(QuicMetrics.DIAL_FAILURES).tags("side", "client").counter().count();
  }
}
