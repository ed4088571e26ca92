package io.blixard.transport.quic.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.blixard.node.NodeAddress;
import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoResponse;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.transport.quic.EchoTestService;
import io.blixard.transport.quic.QuicLoopback;
import io.blixard.transport.quic.QuicTransportProperties;
import io.blixard.transport.quic.UdpRelay;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import io.netty.incubator.codec.quic.QuicStreamType;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

/**
 * Every finished call gives its stream's credit back to the client (QUIC MAX_STREAMS), also over a
 * link that loses 5 % of the packets each way: with a server that allows 16 streams, hundreds of
 * calls in a row of every shape go through, and once they are over the client may open 16 streams
 * again.
 */
@Timeout(180)
class QuicStreamCreditUnderLossTest {

  private static final int STREAMS = 16;

  @TempDir Path tmp;

  private final EchoTestService echo = new EchoTestService();

  @Test
  void shouldGiveEveryStreamBackOverALinkThatLosesPackets() throws Exception {
    QuicTransportProperties base =
        QuicLoopback.properties(QuicTransportProperties.ClientAuth.NONE, Duration.ofSeconds(30));
    QuicTransportProperties properties =
        new QuicTransportProperties(
            base.port(),
            base.bindAddress(),
            base.alpnProtocols(),
            base.clientAuth(),
            base.maxFrameSize(),
            STREAMS,
            base.idleTimeout(),
            DataSize.ofMegabytes(8),
            DataSize.ofMegabytes(32),
            base.handlerThreads(),
            base.shutdownGracePeriod());
    try (QuicLoopback loopback =
            new QuicLoopback(tmp, List.of(echo), properties, QuicClientSettings.defaults(), false);
        UdpRelay relay = new UdpRelay(loopback.server.port(), 0.05)) {
      NodeAddress target = NodeAddress.of(loopback.identity.nodeId(), "127.0.0.1", relay.port());
      Channel channel = loopback.pool.channel(target);
      var blocking = EchoServiceGrpc.newBlockingStub(channel);
      List<String> failures = new ArrayList<>();
      int calls = Integer.getInteger("credit.calls", 300);
      for (int i = 0; i < calls && failures.size() < 3; i++) {
        try {
          var stub = blocking.withDeadlineAfter(5, TimeUnit.SECONDS);
          String shapes = System.getProperty("credit.shapes", "usc");
          switch (shapes.charAt(i % shapes.length())) {
            case 'u' -> stub.unary(EchoRequest.newBuilder().setText("u" + i).build());
            case 's' ->
                stub.serverStream(EchoRequest.newBuilder().setText("s").setCount(3).build())
                    .forEachRemaining(r -> {});
            default -> clientStream(channel);
          }
        } catch (StatusRuntimeException e) {
          failures.add("call " + i + ": " + e.getStatus() + " credit " + credit(loopback, target));
        } catch (Exception e) {
          failures.add("call " + i + ": " + e + " credit " + credit(loopback, target));
        }
      }
      QuicConnection connection = loopback.pool.connection(target).join();
      Thread.sleep(3000);
      System.out.printf(
          "credit: %d failures %s, credit left %d, %d calls, packets to server %d (%d bytes), to client %d (%d bytes)%n",
          failures.size(),
          failures,
          credit(loopback, target),
          calls,
          relay.packets(true),
          relay.bytes(true),
          relay.packets(false),
          relay.bytes(false));

      assertThat(failures).as("calls that failed").isEmpty();
      await()
          .atMost(Duration.ofSeconds(30))
          .untilAsserted(
              () ->
                  assertThat(connection.channel().peerAllowedStreams(QuicStreamType.BIDIRECTIONAL))
                      .isGreaterThanOrEqualTo(STREAMS - 1));
    }
  }

  private static long credit(QuicLoopback loopback, NodeAddress target) {
    return loopback
        .pool
        .connection(target)
        .join()
        .channel()
        .peerAllowedStreams(QuicStreamType.BIDIRECTIONAL);
  }

  private static void clientStream(Channel channel) throws Exception {
    CompletableFuture<EchoResponse> result = new CompletableFuture<>();
    StreamObserver<EchoRequest> up =
        EchoServiceGrpc.newStub(channel)
            .withDeadlineAfter(5, TimeUnit.SECONDS)
            .clientStream(
                new StreamObserver<>() {
                  @Override
                  public void onNext(EchoResponse value) {
                    result.complete(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    result.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    up.onNext(EchoRequest.newBuilder().setText("c").build());
    up.onCompleted();
    result.get(10, TimeUnit.SECONDS);
  }
}
