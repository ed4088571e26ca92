package io.blixard.support;

import static org.awaitility.Awaitility.await;

import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.status.v1.GetClusterStatusRequest;
import io.blixard.proto.status.v1.StatusServiceGrpc;
import io.blixard.transport.Transport;
import io.grpc.Channel;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.autoconfigure.actuate.observability.AutoConfigureObservability;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * One whole node on random ports, with real Ratis in a temporary directory, shared by every test
 * class that extends this (Spring caches the context): the contract tests of each transport and the
 * node's own integration tests. Each class gets a client channel over the transport it names, and
 * starts once the node is ready and registered.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@AutoConfigureObservability
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class SingleNodeTestSupport {

  protected static final Path DATA_DIR = TestDirectories.newDataDir("blixard-single-node");

  @DynamicPropertySource
  static void nodeProperties(DynamicPropertyRegistry registry) {
    registry.add("blixard.node.data-dir", DATA_DIR::toString);
    registry.add("blixard.cluster.raft.port", () -> 0);
    registry.add("blixard.transport.grpc.port", () -> 0);
    registry.add("blixard.transport.quic.port", () -> 0);
    registry.add("blixard.transport.mode", () -> "dual");
    TestOperator.register(registry);
  }

  @Autowired protected NodeEndpoints endpoints;
  @Autowired protected NodeIdentity identity;

  private TestChannels.Opened opened;
  private Channel channel;

  /** The transport this class's calls go over. */
  protected abstract Transport transport();

  /** A channel to the node over {@link #transport()}. */
  protected Channel channel() {
    return channel;
  }

  @BeforeAll
  void connect() {
    opened = TestChannels.open(transport(), endpoints, identity);
    channel = opened.channel();
    // Ready once Raft has a leader and the node has registered itself.
    await()
        .atMost(Duration.ofSeconds(30))
        .ignoreExceptions()
        .until(() -> servingStatus("") == ServingStatus.SERVING && registered());
  }

  @AfterAll
  void disconnect() throws Exception {
    opened.close();
  }

  protected ServingStatus servingStatus(String service) {
    return HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .check(HealthCheckRequest.newBuilder().setService(service).build())
        .getStatus();
  }

  private boolean registered() {
    return StatusServiceGrpc.newBlockingStub(channel)
        .withDeadlineAfter(5, TimeUnit.SECONDS)
        .getClusterStatus(GetClusterStatusRequest.getDefaultInstance())
        .getNodesList()
        .stream()
        .anyMatch(n -> n.getNodeId().equals(identity.nodeId().value()) && n.hasJoinedAt());
  }
}
