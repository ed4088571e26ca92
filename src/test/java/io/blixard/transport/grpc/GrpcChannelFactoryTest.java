package io.blixard.transport.grpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.node.DataDirectory;
import io.blixard.node.NodeAddress;
import io.blixard.node.NodeIdentity;
import io.blixard.security.NodeIdTrustManager;
import io.blixard.support.TestDirectories;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.handler.ssl.ClientAuth;
import io.grpc.netty.shaded.io.netty.handler.ssl.SslContextBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The one gRPC channel factory against real gRPC servers on loopback: plaintext, TLS with the
 * node's certificate, TLS that asks for client certificates; pinned, recording and detecting.
 */
@Timeout(60)
class GrpcChannelFactoryTest {

  private static final NodeIdentity SERVER =
      NodeIdentity.loadOrCreate(
          DataDirectory.open(TestDirectories.newDataDir("blixard-channel-factory-server")));
  private static final NodeIdentity CLIENT =
      NodeIdentity.loadOrCreate(
          DataDirectory.open(TestDirectories.newDataDir("blixard-channel-factory-client")));

  private Server server;
  private NodeIdTrustManager clientsSeen;

  @AfterEach
  void stop() throws InterruptedException {
    if (server != null) {
      server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private NodeAddress start(boolean tls, ClientAuth clientAuth) throws Exception {
    NettyServerBuilder builder =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new HealthStatusManager().getHealthService());
    if (tls) {
      SslContextBuilder ssl =
          GrpcSslContexts.configure(
                  SslContextBuilder.forServer(SERVER.privateKey(), SERVER.certificate()))
              .protocols(GrpcTls.PROTOCOL)
              .clientAuth(clientAuth);
      if (clientAuth != ClientAuth.NONE) {
        clientsSeen = NodeIdTrustManager.recording();
        ssl.trustManager(clientsSeen);
      }
      builder.sslContext(ssl.build());
    }
    server = builder.build().start();
    return NodeAddress.of("127.0.0.1", server.getPort());
  }

  private static ServingStatus check(Channel channel) {
    return HealthGrpc.newBlockingStub(channel)
        .withDeadlineAfter(10, TimeUnit.SECONDS)
        .check(HealthCheckRequest.getDefaultInstance())
        .getStatus();
  }

  @Test
  void plaintextChannelsReachAPlaintextServer() throws Exception {
    NodeAddress address = start(false, ClientAuth.NONE);
    try (GrpcChannelFactory factory = GrpcChannelFactory.plaintext()) {
      assertThat(check(factory.channel(address))).isEqualTo(ServingStatus.SERVING);
      assertThat(factory.channel(address)).isSameAs(factory.channel(address));
    }
  }

  @Test
  void tlsChannelsReachATlsServerByHostAndPortAndPinnedToItsNodeId() throws Exception {
    NodeAddress address = start(true, ClientAuth.NONE);
    try (GrpcChannelFactory factory = GrpcChannelFactory.tls(null)) {
      assertThat(check(factory.channel(address))).isEqualTo(ServingStatus.SERVING);
      assertThat(check(factory.channel(address.pinnedTo(SERVER.nodeId()))))
          .isEqualTo(ServingStatus.SERVING);
    }
  }

  @Test
  void aChannelPinnedToAnotherNodeFailsItsHandshakeNamingBoth() throws Exception {
    NodeAddress address = start(true, ClientAuth.NONE);
    try (GrpcChannelFactory factory = GrpcChannelFactory.tls(null)) {
      Channel wrong = factory.channel(address.pinnedTo(CLIENT.nodeId()));
      assertThatThrownBy(() -> check(wrong))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(causes(e))
                    .contains("belongs to node " + SERVER.nodeId())
                    .contains("expected: node " + CLIENT.nodeId());
              });
    }
  }

  @Test
  void aNodePresentsItsOwnCertificateToAServerThatAsksForOne() throws Exception {
    NodeAddress address = start(true, ClientAuth.REQUIRE);
    try (GrpcChannelFactory factory = GrpcChannelFactory.tls(CLIENT)) {
      assertThat(check(factory.channel(address))).isEqualTo(ServingStatus.SERVING);
    }
    assertThat(clientsSeen.seen()).contains(CLIENT.nodeId());
  }

  @Test
  void autoFindsTlsAndPinsTheNodeItMet() throws Exception {
    NodeAddress address = start(true, ClientAuth.NONE);
    try (GrpcChannelFactory factory =
        GrpcChannelFactory.of(GrpcChannelFactory.Tls.AUTO, null, Duration.ofSeconds(5))) {
      ManagedChannel channel = factory.newChannel(address);
      try {
        assertThat(check(channel)).isEqualTo(ServingStatus.SERVING);
        // Pinned: the authority names the node, not the host it was dialled by.
        assertThat(channel.authority()).isEqualTo(SERVER.nodeId() + ".blixard");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void autoFindsTlsOnAServerThatWantsClientCertificates() throws Exception {
    NodeAddress address = start(true, ClientAuth.REQUIRE);
    try (GrpcChannelFactory factory =
        GrpcChannelFactory.of(GrpcChannelFactory.Tls.AUTO, CLIENT, Duration.ofSeconds(5))) {
      assertThat(check(factory.channel(address))).isEqualTo(ServingStatus.SERVING);
    }
  }

  @Test
  void theProbeTellsPlaintextFromTlsAndNamesTheNode() throws Exception {
    NodeAddress plaintext = start(false, ClientAuth.NONE);
    assertThat(GrpcTlsProbe.probe(plaintext, Duration.ofSeconds(5)))
        .isEqualTo(new GrpcTlsProbe.Result(false, java.util.Optional.empty()));
    stop();
    NodeAddress tls = start(true, ClientAuth.NONE);
    assertThat(GrpcTlsProbe.probe(tls, Duration.ofSeconds(5)))
        .isEqualTo(new GrpcTlsProbe.Result(true, java.util.Optional.of(SERVER.nodeId())));
  }

  @Test
  void autoFindsPlaintext() throws Exception {
    NodeAddress address = start(false, ClientAuth.NONE);
    try (GrpcChannelFactory factory =
        GrpcChannelFactory.of(GrpcChannelFactory.Tls.AUTO, null, Duration.ofSeconds(5))) {
      assertThat(check(factory.channel(address))).isEqualTo(ServingStatus.SERVING);
    }
  }

  @Test
  void autoSaysWhenThePortCannotBeReached() throws Exception {
    int closed;
    try (ServerSocket socket = new ServerSocket(0)) {
      closed = socket.getLocalPort();
    }
    try (GrpcChannelFactory factory =
        GrpcChannelFactory.of(GrpcChannelFactory.Tls.AUTO, null, Duration.ofSeconds(2))) {
      assertThatThrownBy(() -> factory.newChannel(NodeAddress.of("127.0.0.1", closed)))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> {
                assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
                assertThat(e.getStatus().getDescription())
                    .startsWith("cannot reach 127.0.0.1:" + closed + ": ");
              });
    }
  }

  @Test
  void aPlaintextChannelCannotTalkToATlsServer() throws Exception {
    NodeAddress address = start(true, ClientAuth.NONE);
    try (GrpcChannelFactory factory = GrpcChannelFactory.plaintext()) {
      assertThatThrownBy(() -> check(factory.channel(address)))
          .isInstanceOf(StatusRuntimeException.class);
    }
  }

  @Test
  void aClosedFactoryRefusesNewChannels() {
    GrpcChannelFactory factory = GrpcChannelFactory.plaintext();
    factory.close();
    assertThatThrownBy(() -> factory.channel(NodeAddress.of("127.0.0.1", 7001)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("closed");
  }

  @Test
  void settingsAreChecked() {
    assertThatThrownBy(
            () -> GrpcChannelFactory.of(GrpcChannelFactory.Tls.AUTO, null, Duration.ZERO))
        .hasMessage("detectTimeout: PT0S (expected: > 0)");
    assertThatThrownBy(() -> GrpcChannelFactory.plaintext().withMaxInboundMessageSize(0))
        .hasMessage("maxInboundMessageSize: 0 (expected: > 0)");
  }

  private static String causes(Throwable t) {
    StringBuilder all = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause()) {
      all.append(c.getClass().getName()).append(": ").append(c.getMessage()).append('\n');
    }
    return all.toString();
  }
}
