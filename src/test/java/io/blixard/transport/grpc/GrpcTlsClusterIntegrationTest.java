package io.blixard.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.blixard.cli.BlixardCliAccess;
import io.blixard.proto.cluster.v1.GetMembersRequest;
import io.blixard.proto.cluster.v1.Member;
import io.blixard.proto.cluster.v1.MembershipServiceGrpc;
import io.blixard.proto.transport.v1.GetTransportInfoRequest;
import io.blixard.proto.transport.v1.TransportServiceGrpc;
import io.blixard.support.TestNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cluster whose gRPC listeners speak TLS ({@code blixard.transport.grpc.tls.enabled=true}): a
 * second node joins through the first's {@code host:grpcPort}, and the command line reaches a node
 * over gRPC by finding out that its port speaks TLS, or by being told.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 90, unit = TimeUnit.SECONDS)
class GrpcTlsClusterIntegrationTest {

  private static final String TLS = "--blixard.transport.grpc.tls.enabled=true";

  @TempDir static Path dirs;

  private TestNode first;
  private TestNode second;

  @BeforeAll
  void startCluster() {
    first = TestNode.start(dirs.resolve("a"), TLS);
    await().atMost(Duration.ofSeconds(20)).until(() -> first.raft().leaderId().isPresent());
    second = TestNode.join(dirs.resolve("b"), first, TLS);
  }

  @AfterAll
  void stopCluster() {
    Stream.of(second, first).filter(n -> n != null).forEach(TestNode::close);
  }

  @Test
  void aSecondNodeJoinsThroughTheFirstsTlsGrpcPort() {
    assertThat(
            TransportServiceGrpc.newBlockingStub(first.channel())
                .withDeadlineAfter(5, TimeUnit.SECONDS)
                .getTransportInfo(GetTransportInfoRequest.getDefaultInstance())
                .getGrpcTls())
        .isTrue();
    await()
        .atMost(Duration.ofSeconds(20))
        .untilAsserted(
            () ->
                assertThat(
                        MembershipServiceGrpc.newBlockingStub(second.channel())
                            .withDeadlineAfter(5, TimeUnit.SECONDS)
                            .getMembers(GetMembersRequest.getDefaultInstance())
                            .getMembersList())
                    .extracting(Member::getNodeId)
                    .containsExactlyInAnyOrder(first.id().value(), second.id().value()));
  }

  @Test
  void theCliFindsOutThatThePortSpeaksTls() {
    String[] health = BlixardCliAccess.run("health", "--node", first.grpcAddress());
    assertThat(health[0]).as(health[2]).isEqualTo("0");
    assertThat(health[1]).contains("node    " + first.id().value());
    String[] status = BlixardCliAccess.run("status", "--node", second.grpcAddress(), "--json");
    assertThat(status[0]).as(status[2]).isEqualTo("0");
  }

  @Test
  void theCliSpeaksTlsWhenToldAndSaysWhyPlaintextFails() {
    String[] on = BlixardCliAccess.run("ping", "--node", first.grpcAddress(), "--tls", "on");
    assertThat(on[0]).as(on[2]).isEqualTo("0");
    String[] off =
        BlixardCliAccess.run(
            "ping", "--node", first.grpcAddress(), "--tls", "off", "--timeout", "2s");
    assertThat(off[0]).isEqualTo("3");
    assertThat(off[2].strip())
        .startsWith("blixard: cannot reach node " + first.grpcAddress() + ": ")
        .doesNotContain("\n");
  }

  @Test
  void theCliReadsTheStrategyOfATlsNode() {
    // No HTTP listener in these nodes: the command finds out from the node over TLS that it has
    // none, which shows that the gRPC call before it went through.
    String[] get = BlixardCliAccess.run("strategy", "get", "--node", first.grpcAddress());
    assertThat(get[2].strip())
        .isEqualTo("blixard: the node reports no HTTP address (expected: --http host:port)");
  }
}
