package io.blixard.transport;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.health.NodeReadiness;
import io.blixard.node.DataDirectory;
import io.blixard.node.NodeAddress;
import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeId;
import io.blixard.node.NodeIdentity;
import io.blixard.node.NodeProperties;
import io.blixard.proto.test.v1.EchoRequest;
import io.blixard.proto.test.v1.EchoServiceGrpc;
import io.blixard.rpc.RpcServerInterceptor;
import io.blixard.security.NodeIdTrustManager;
import io.blixard.support.NodeAutoConfigurations;
import io.blixard.transport.grpc.GrpcListener;
import io.blixard.transport.quic.EchoTestService;
import io.blixard.transport.quic.QuicTransportProperties;
import io.blixard.transport.quic.autoconfigure.QuicTransportAutoConfiguration;
import io.blixard.transport.quic.client.QuicClientSettings;
import io.blixard.transport.quic.client.QuicConnectionPool;
import io.blixard.transport.quic.server.QuicRpcServer;
import io.grpc.BindableService;
import io.grpc.Channel;
import io.grpc.Grpc;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.availability.ApplicationAvailabilityBean;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.util.unit.DataSize;

/**
 * A client's certificate reads the same on both transports: an interceptor of the shared chain
 * finds it in the call's SSL session ({@link Grpc#TRANSPORT_ATTR_SSL_SESSION}), with the remote and
 * local addresses, over gRPC with TLS and over QUIC.
 */
@Timeout(60)
class PeerCertificateIntegrationTest {

  @TempDir Path tmp;

  /** What the interceptor saw, per transport. */
  record Seen(NodeId peer, SocketAddress remote, SocketAddress local) {}

  /** Reads the peer's certificate from the SSL session, as an authorization link would. */
  static final class PeerReader implements RpcServerInterceptor {
    final Map<Transport, Seen> seen = new ConcurrentHashMap<>();

    @Override
    public ServerInterceptor forTransport(Transport transport) {
      return new ServerInterceptor() {
        @Override
        public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
            ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
          SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
          try {
            X509Certificate cert = (X509Certificate) session.getPeerCertificates()[0];
            seen.put(
                transport,
                new Seen(
                    NodeId.of(cert.getPublicKey()),
                    call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR),
                    call.getAttributes().get(Grpc.TRANSPORT_ATTR_LOCAL_ADDR)));
          } catch (SSLPeerUnverifiedException e) {
            throw new IllegalStateException("no client certificate", e);
          }
          return next.startCall(call, headers);
        }
      };
    }
  }

  @Test
  void shouldReadTheClientCertificateFromTheSslSessionOnBothTransports() throws Exception {
    NodeIdentity server = NodeIdentity.loadOrCreate(DataDirectory.open(tmp.resolve("server")));
    NodeIdentity client = NodeIdentity.loadOrCreate(DataDirectory.open(tmp.resolve("client")));
    PeerReader reader = new PeerReader();
    new ApplicationContextRunner()
        .withConfiguration(
            NodeAutoConfigurations.grpcTransport(QuicTransportAutoConfiguration.class))
        .withPropertyValues(NodeAutoConfigurations.INSECURE)
        .withBean(MeterRegistry.class, SimpleMeterRegistry::new)
        .withBean(
            NodeEndpoints.class,
            () -> new NodeEndpoints(new NodeProperties(tmp, "127.0.0.1", DataSize.ofMegabytes(1))))
        .withBean(NodeIdentity.class, () -> server)
        .withBean(NodeReadiness.class, PeerCertificateIntegrationTest::readiness)
        .withBean(BindableService.class, EchoTestService::new)
        .withBean("peerReader", RpcServerInterceptor.class, () -> reader, d -> {})
        .withPropertyValues(
            "blixard.transport.mode=dual",
            "blixard.transport.grpc.port=0",
            "blixard.transport.grpc.bind-address=127.0.0.1",
            "blixard.transport.grpc.shutdown-grace-period=1s",
            "blixard.transport.grpc.tls.enabled=true",
            "blixard.transport.grpc.tls.client-auth=require",
            "blixard.transport.quic.port=0",
            "blixard.transport.quic.bind-address=127.0.0.1",
            "blixard.transport.quic.client-auth=need",
            "blixard.transport.quic.shutdown-grace-period=1s")
        .run(
            context -> {
              assertThat(context).hasNotFailed();
              int grpcPort = context.getBean(GrpcListener.class).port();
              int quicPort = context.getBean(QuicRpcServer.class).port();

              ManagedChannel grpc =
                  NettyChannelBuilder.forAddress("127.0.0.1", grpcPort)
                      .sslContext(
                          GrpcSslContexts.forClient()
                              .trustManager(NodeIdTrustManager.pinned(server.nodeId()))
                              .keyManager(client.privateKey(), client.certificate())
                              .protocols("TLSv1.3")
                              .build())
                      .overrideAuthority(server.nodeId().value() + ".blixard")
                      .build();
              try (QuicConnectionPool quic =
                  new QuicConnectionPool(
                      QuicClientSettings.from(context.getBean(QuicTransportProperties.class)),
                      client,
                      new SimpleMeterRegistry())) {
                echo(grpc);
                echo(quic.channel(NodeAddress.of(server.nodeId(), "127.0.0.1", quicPort)));
              } finally {
                grpc.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
              }

              for (Transport transport : Transport.values()) {
                Seen seen = reader.seen.get(transport);
                assertThat(seen).as(transport.tag()).isNotNull();
                assertThat(seen.peer()).as(transport.tag()).isEqualTo(client.nodeId());
                assertThat(seen.remote()).isInstanceOf(InetSocketAddress.class);
                assertThat(((InetSocketAddress) seen.local()).getPort())
                    .isEqualTo(transport == Transport.GRPC ? grpcPort : quicPort);
              }
            });
  }

  private static void echo(Channel channel) {
    assertThat(
            EchoServiceGrpc.newBlockingStub(channel)
                .withDeadlineAfter(10, TimeUnit.SECONDS)
                .unary(EchoRequest.newBuilder().setText("who am i").build())
                .getText())
        .isEqualTo("who am i");
  }

  static NodeReadiness readiness() {
    return new NodeReadiness(new ApplicationAvailabilityBean(), null);
  }
}
