package io.blixard.transport.quic.raft;

import io.blixard.cluster.RaftTransportPlugIn;
import io.blixard.node.NodeId;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.ratis.client.ClientFactory;
import org.apache.ratis.client.RaftClientConfigKeys;
import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.conf.Parameters;
import org.apache.ratis.conf.RaftProperties;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.grpc.GrpcFactory;
import org.apache.ratis.grpc.GrpcTlsConfig;
import org.apache.ratis.grpc.GrpcUtil;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.ServerFactory;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;
import org.apache.ratis.thirdparty.io.netty.handler.ssl.SslContext;

/**
 * The Ratis factory of the Raft router: its server RPC ({@link RaftRouterServerRpc}, around Ratis's
 * gRPC listener built by {@link GrpcFactory} with the Raft port's TLS), the {@link
 * RaftRouterClientRpc} for this node's Raft client (client and admin requests over the transport
 * chosen per peer: Ratis's gRPC client RPC to the Raft port, or ours over QUIC), and the {@link
 * PipelinedLogAppender}, whose streams the router opens on either transport.
 */
final class RaftRouterFactory implements ServerFactory, ClientFactory {

  private final GrpcFactory grpc;
  private final QuicRaftEndpoint endpoint;
  private final RaftRouting routing;
  private final Predicate<NodeId> trust;
  private final SslContext clientTls;

  @SuppressWarnings("unchecked")
  RaftRouterFactory(Parameters parameters) {
    this.grpc = new GrpcFactory(parameters);
    this.endpoint = required(parameters, QuicRaftEndpoint.PARAMETER, QuicRaftEndpoint.class);
    this.routing = required(parameters, RaftRouting.PARAMETER, RaftRouting.class);
    this.trust = parameters.get(RaftTransportPlugIn.PEER_TRUST, Predicate.class);
    GrpcTlsConfig tls = GrpcConfigKeys.TLS.conf(parameters);
    this.clientTls = tls == null ? null : GrpcUtil.buildSslContextForClient(tls);
  }

  private static <T> T required(Parameters parameters, String key, Class<T> type) {
    T found = parameters.get(key, type);
    if (found == null) {
      throw new IllegalArgumentException(
          "Ratis parameters have no "
              + key
              + " (expected: handed over by the node's Raft transport plug-in)");
    }
    return found;
  }

  @Override
  public RpcType getRpcType() {
    return RaftRouterRpcType.INSTANCE;
  }

  @Override
  public LogAppender newLogAppender(
      RaftServer.Division server, LeaderState state, FollowerInfo follower) {
    return new PipelinedLogAppender(
        server, state, follower, (AppendStream.Opener) server.getRaftServer().getServerRpc());
  }

  @Override
  public RaftServerRpc newRaftServerRpc(RaftServer server) {
    RaftProperties properties = server.getProperties();
    GrpcRaftPath.ChannelLimits limits =
        new GrpcRaftPath.ChannelLimits(
            GrpcConfigKeys.messageSizeMax(properties, s -> {}).getSizeInt(),
            GrpcConfigKeys.flowControlWindow(properties, s -> {}).getSizeInt());
    return new RaftRouterServerRpc(
        server, grpc.newRaftServerRpc(server), endpoint, trust, routing, limits, clientTls);
  }

  @Override
  public RaftClientRpc newRaftClientRpc(ClientId clientId, RaftProperties properties) {
    return new RaftRouterClientRpc(
        grpc.newRaftClientRpc(clientId, properties),
        new QuicRaftClientRpc(
            endpoint,
            Duration.ofMillis(
                RaftClientConfigKeys.Rpc.requestTimeout(properties).toLong(TimeUnit.MILLISECONDS))),
        routing);
  }
}
