package io.blixard.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.protobuf.ByteString;
import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.transport.quic.client.QuicClientSettings;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * More callers than a connection has stream credit at a time, each sending large messages in a
 * closed loop: every call waits for credit and none fails (the server grants streams as others
 * end).
 */
@Timeout(60)
class QuicManyCallsTest {

  @TempDir Path tmp;

  @Test
  void shouldServeSixtyFourCallersOfLargeMessagesWithoutAFailedCall() throws Exception {
    QuicTransportProperties server =
        QuicLoopback.properties(QuicTransportProperties.ClientAuth.NONE, Duration.ofSeconds(30));
    // Fewer streams than callers, so calls keep waiting for credit, and keep-alive probes
    // (every 100 ms) keep coming while they do.
    server =
        new QuicTransportProperties(
            server.port(),
            server.bindAddress(),
            server.alpnProtocols(),
            server.clientAuth(),
            server.maxFrameSize(),
            8,
            server.idleTimeout(),
            server.streamWindow(),
            server.connectionWindow(),
            server.handlerThreads(),
            server.shutdownGracePeriod(),
            server.retry(),
            server.maxConnections(),
            server.maxConnectionsPerSource(),
            server.maxInboundBytes(),
            server.maxInboundBytesPerConnection(),
            server.frameTimeout());
    QuicClientSettings d = QuicClientSettings.defaults();
    QuicClientSettings client =
        new QuicClientSettings(
            d.alpn(),
            d.maxFrameSize(),
            d.connectTimeout(),
            d.idleTimeout(),
            Duration.ofMillis(100),
            d.idleEviction(),
            d.maxConnections(),
            d.streamWindow(),
            d.connectionWindow());
    try (QuicLoopback loopback =
        new QuicLoopback(tmp, List.of(new EchoTestService()), server, client, false)) {
      var stub = EchoServiceGrpc.newBlockingStub(loopback.channel());
      EchoRequest request =
          EchoRequest.newBuilder()
              .setText("x")
              .setPayload(ByteString.copyFrom(new byte[64 * 1024]))
              .build();
      AtomicLong answered = new AtomicLong();
      ExecutorService callers = Executors.newFixedThreadPool(64);
      try {
        List<Future<?>> all = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
          all.add(
              callers.submit(
                  () -> {
                    for (int n = 0; n < 20; n++) {
                      stub.withDeadlineAfter(20, TimeUnit.SECONDS).unary(request);
                      answered.incrementAndGet();
                    }
                    return null;
                  }));
        }
        for (Future<?> f : all) {
          f.get(50, TimeUnit.SECONDS);
        }
      } finally {
        callers.shutdownNow();
      }
      assertThat(answered).hasValue(64 * 20);
      assertThat(stub.unary(EchoRequest.newBuilder().setText("after").build()).getText())
          .isEqualTo("after");
    }
  }
}
