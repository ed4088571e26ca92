package io.blixard.transport.quic.raft;

import io.blixard.node.NodeId;
import io.blixard.proto.raft.v1.RaftServiceGrpc;
import io.blixard.transport.quic.client.QuicRpcChannel;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexReplyProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionReplyProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.protocol.RaftServerAsynchronousProtocol;

/**
 * The Ratis server's RPC over QUIC: requests to peers as {@code blixard.raft.v1} calls on the
 * node's pooled QUIC connections (each peer's Raft address is its QUIC address, the connection
 * pinned to its node id); incoming requests arrive through {@link QuicRaftService} on the node's
 * QUIC server, which this RPC attaches its server to while it runs. It opens no port of its own.
 */
final class QuicRaftServerRpc
    implements RaftServerRpc, RaftServerAsynchronousProtocol, AppendStream.Opener {

  private final RaftServer server;
  private final QuicRaftEndpoint endpoint;
  private final Predicate<NodeId> trust;
  private final RaftCalls calls;
  private final Duration timeout;
  private final Map<RaftPeerId, RaftPeer> peers = new ConcurrentHashMap<>();

  QuicRaftServerRpc(RaftServer server, QuicRaftEndpoint endpoint, Predicate<NodeId> trust) {
    this.server = server;
    this.endpoint = endpoint;
    this.trust = trust;
    this.calls = new RaftCalls(endpoint.metrics());
    this.timeout =
        Duration.ofMillis(
            RaftServerConfigKeys.Rpc.requestTimeout(server.getProperties())
                .toLong(java.util.concurrent.TimeUnit.MILLISECONDS));
  }

  @Override
  public RpcType getRpcType() {
    return QuicRpcType.INSTANCE;
  }

  @Override
  public void start() {
    endpoint.attach(server, trust);
  }

  @Override
  public void close() {
    endpoint.detach(server);
    peers.clear();
  }

  @Override
  public InetSocketAddress getInetSocketAddress() {
    return endpoint
        .localAddress()
        .orElseThrow(() -> new IllegalStateException("the QUIC listener is not bound yet"));
  }

  @Override
  public void addRaftPeers(Collection<RaftPeer> newPeers) {
    for (RaftPeer peer : newPeers) {
      if (!peer.getId().equals(server.getId())) {
        peers.put(peer.getId(), peer);
      }
    }
  }

  @Override
  public void handleException(RaftPeerId serverId, Exception e, boolean reconnect) {
    // The pool redials a lost connection on the next call, with its own backoff.
  }

  @Override
  public RaftServerAsynchronousProtocol async() {
    return this;
  }

  @Override
  public RequestVoteReplyProto requestVote(RequestVoteRequestProto request) throws IOException {
    RaftRpcRequestProto rpc = request.getServerRequest();
    return calls.callAndWait(
        channel(rpc),
        target(rpc),
        RaftServiceGrpc.getRequestVoteMethod(),
        request,
        RequestVoteReplyProto.parser(),
        timeout);
  }

  @Override
  public AppendEntriesReplyProto appendEntries(AppendEntriesRequestProto request)
      throws IOException {
    RaftRpcRequestProto rpc = request.getServerRequest();
    return calls.callAndWait(
        channel(rpc),
        target(rpc),
        RaftServiceGrpc.getAppendEntriesMethod(),
        request,
        AppendEntriesReplyProto.parser(),
        timeout);
  }

  @Override
  public InstallSnapshotReplyProto installSnapshot(InstallSnapshotRequestProto request)
      throws IOException {
    RaftRpcRequestProto rpc = request.getServerRequest();
    return calls.callAndWait(
        channel(rpc),
        target(rpc),
        RaftServiceGrpc.getInstallSnapshotMethod(),
        request,
        InstallSnapshotReplyProto.parser(),
        timeout);
  }

  @Override
  public StartLeaderElectionReplyProto startLeaderElection(StartLeaderElectionRequestProto request)
      throws IOException {
    RaftRpcRequestProto rpc = request.getServerRequest();
    return calls.callAndWait(
        channel(rpc),
        target(rpc),
        RaftServiceGrpc.getStartLeaderElectionMethod(),
        request,
        StartLeaderElectionReplyProto.parser(),
        timeout);
  }

  @Override
  public CompletableFuture<AppendEntriesReplyProto> appendEntriesAsync(
      AppendEntriesRequestProto request) throws IOException {
    RaftRpcRequestProto rpc = request.getServerRequest();
    return calls.call(
        channel(rpc),
        target(rpc),
        RaftServiceGrpc.getAppendEntriesMethod(),
        request,
        AppendEntriesReplyProto.parser(),
        timeout);
  }

  @Override
  public CompletableFuture<ReadIndexReplyProto> readIndexAsync(ReadIndexRequestProto request)
      throws IOException {
    RaftRpcRequestProto rpc = request.getServerRequest();
    return calls.call(
        channel(rpc),
        target(rpc),
        RaftServiceGrpc.getReadIndexMethod(),
        request,
        ReadIndexReplyProto.parser(),
        timeout);
  }

  @Override
  public AppendStream open(RaftPeerId follower, AppendStream.Listener listener) {
    RaftPeer peer = peers.get(follower);
    if (peer == null) {
      listener.onError(RaftCallFailures.unknownPeer(server.getId(), follower));
      return AppendStream.Closed.INSTANCE;
    }
    return QuicAppendStream.open(
        endpoint.channel(peer),
        follower.toString(),
        new MeasuredAppendStream(endpoint.metrics(), listener, nanos -> {}));
  }

  private QuicRpcChannel channel(RaftRpcRequestProto rpc) throws IOException {
    RaftPeerId to = RaftPeerId.valueOf(rpc.getReplyId());
    RaftPeer peer = peers.get(to);
    if (peer == null) {
      throw RaftCallFailures.unknownPeer(server.getId(), to);
    }
    return endpoint.channel(peer);
  }

  private static String target(RaftRpcRequestProto rpc) {
    return RaftPeerId.valueOf(rpc.getReplyId()).toString();
  }
}
