package io.blixard.transport.quic;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.protobuf.ByteString;
import io.blixard.bench.NetNamespace;
import io.blixard.bench.Processes;
import io.blixard.bench.QuicChannels;
import io.blixard.node.NodeId;
import io.blixard.proto.health.v1.HealthServiceGrpc;
import io.blixard.proto.health.v1.PingRequest;
import io.blixard.proto.health.v1.PingStreamRequest;
import io.grpc.Channel;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Blixard RPC on QUIC loses no call to packet loss: a node from the built jar runs in a network
 * namespace joined to this one by a veth pair, nftables drops 5 % of the packets each way at
 * random, and every call must come back well before its deadline. (Run by failsafe after {@code
 * package}; needs root, {@code ip} and {@code nft}, and is skipped without them.)
 *
 * <p>It guards two failures seen under loss: a retransmission the QUIC library held back until the
 * connection's idle timeout (see {@link QuicSendWatchdog}), and a FIN sent on its own, lost and
 * never sent again, which kept the server's stream open and its slot taken — with a limit of 16
 * streams, a few hundred calls used the connection up. The node here allows 16 streams.
 */
@Timeout(300)
class QuicUnderLossProcessIntegrationTest {

  private static final int CALLS = 5_000;
  private static final int STREAMS = 4;
  private static final int STREAM_MESSAGES = 2_000;

  @TempDir Path dir;

  @Test
  void everyCallComesBackUnderFivePercentLossEachWay() throws Exception {
    var unavailable = NetNamespace.unavailableReason();
    assumeTrue(unavailable.isEmpty(), () -> "no network namespace: " + unavailable.orElse(""));
    Path jar = Path.of(System.getProperty("blixard.jar", "target/blixard.jar")).toAbsolutePath();
    assertThat(jar).as("the built jar (run this test with failsafe after package)").isReadable();
    var layout =
        new NetNamespace.Layout(
            "blixard-it-loss", "blxi-host", "blxi-node", "10.203.78.1", "10.203.78.2");
    try (NetNamespace ns = new NetNamespace(layout, NetNamespace::runCommand);
        Processes processes = new Processes(dir)) {
      ns.create();
      int quicPort = Processes.freePort();
      Path dataDir = dir.resolve("node");
      List<String> command =
          new ArrayList<>(
              Processes.nodeCommand(
                  ns.exec(),
                  jar,
                  dataDir,
                  layout.nodeAddress(),
                  "dual",
                  Processes.freePort(),
                  Processes.freePort(),
                  quicPort,
                  Processes.freePort(),
                  true,
                  io.blixard.support.TestOperator.identity().nodeId()));
      command.add("--blixard.transport.quic.max-concurrent-streams=16");
      Process node = processes.start("node", command);
      NodeId id = Processes.awaitNodeId(dataDir, node, Duration.ofSeconds(120));
      // Secure mode: the client presents the operator's certificate, as the CLI does.
      QuicChannels channels =
          new QuicChannels(
              layout.nodeAddress(), quicPort, id, io.blixard.support.TestOperator.identity());
      Channel channel = channels.open();
      try {
        var stub = HealthServiceGrpc.newBlockingStub(channel);
        awaitAnswer(stub, node);

        ns.setLoss(5);
        List<String> failures = new ArrayList<>();
        for (int i = 0; i < CALLS && failures.size() < 3; i++) {
          try {
            stub.withDeadlineAfter(5, TimeUnit.SECONDS).ping(PingRequest.getDefaultInstance());
          } catch (StatusRuntimeException e) {
            failures.add("call " + i + ": " + e.getStatus());
          }
        }
        for (int i = 0; i < STREAMS && failures.size() < 3; i++) {
          try {
            int[] received = new int[1];
            stub.withDeadlineAfter(30, TimeUnit.SECONDS)
                .pingStream(
                    PingStreamRequest.newBuilder()
                        .setCount(STREAM_MESSAGES)
                        .setPayload(ByteString.copyFrom(new byte[64]))
                        .build())
                .forEachRemaining(r -> received[0]++);
            if (received[0] != STREAM_MESSAGES) {
              failures.add("stream " + i + ": " + received[0] + " messages");
            }
          } catch (StatusRuntimeException e) {
            failures.add("stream " + i + ": " + e.getStatus());
          }
        }
        ns.setLoss(0);

        assertThat(failures).as("calls that failed under 5 % loss each way").isEmpty();
      } finally {
        channels.close(channel);
      }
    }
  }

  /** The node serves QUIC a moment after it has written its node id. */
  private static void awaitAnswer(HealthServiceGrpc.HealthServiceBlockingStub stub, Process node) {
    org.awaitility.Awaitility.await("the node answers within 120 s")
        .atMost(Duration.ofSeconds(120))
        .pollInterval(Duration.ofMillis(200))
        .failFast("the node exited", () -> !node.isAlive())
        .ignoreException(StatusRuntimeException.class)
        .until(
            () -> {
              stub.withDeadlineAfter(2, TimeUnit.SECONDS).ping(PingRequest.getDefaultInstance());
              return true;
            });
  }
}
