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
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.ServerFactory;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppender;

/**
 * The Ratis factory of Raft over QUIC, as {@code NettyFactory} is Netty's: server and client RPCs
 * over the {@link QuicRaftEndpoint} found in the parameters, with the {@link PipelinedLogAppender}
 * (several appendEntries in flight per follower, in order, on one QUIC stream).
 */
final class QuicRaftFactory implements ServerFactory, ClientFactory {

  private final QuicRaftEndpoint endpoint;
  private final Predicate<NodeId> trust;

  @SuppressWarnings("unchecked")
  QuicRaftFactory(Parameters parameters) {
    QuicRaftEndpoint found = parameters.get(QuicRaftEndpoint.PARAMETER, QuicRaftEndpoint.class);
    if (found == null) {
      throw new IllegalArgumentException(
          "Ratis parameters have no "
              + QuicRaftEndpoint.PARAMETER
              + " (expected: the QUIC Raft endpoint, handed over by the node's Raft transport"
              + " plug-in)");
    }
    this.endpoint = found;
    this.trust = parameters.get(RaftTransportPlugIn.PEER_TRUST, Predicate.class);
  }

  @Override
  public RpcType getRpcType() {
    return QuicRpcType.INSTANCE;
  }

  @Override
  public LogAppender newLogAppender(
      RaftServer.Division server, LeaderState state, FollowerInfo follower) {
    return new PipelinedLogAppender(
        server, state, follower, (AppendStream.Opener) server.getRaftServer().getServerRpc());
  }

  @Override
  public RaftServerRpc newRaftServerRpc(RaftServer server) {
    return new QuicRaftServerRpc(server, endpoint, trust);
  }

  @Override
  public RaftClientRpc newRaftClientRpc(ClientId clientId, RaftProperties properties) {
    return new QuicRaftClientRpc(
        endpoint,
        Duration.ofMillis(
            RaftClientConfigKeys.Rpc.requestTimeout(properties).toLong(TimeUnit.MILLISECONDS)));
  }
}
