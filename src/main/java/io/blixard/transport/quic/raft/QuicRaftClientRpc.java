package io.blixard.transport.quic.raft;

import io.blixard.proto.raft.v1.RaftMessage;
import io.blixard.proto.raft.v1.RaftServiceGrpc;
import io.blixard.transport.quic.client.QuicRpcChannel;
import io.grpc.MethodDescriptor;
import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.function.Function;
import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.proto.RaftProtos.GroupInfoReplyProto;
import org.apache.ratis.proto.RaftProtos.GroupListReplyProto;
import org.apache.ratis.proto.RaftProtos.RaftClientReplyProto;
import org.apache.ratis.protocol.GroupInfoRequest;
import org.apache.ratis.protocol.GroupListRequest;
import org.apache.ratis.protocol.GroupManagementRequest;
import org.apache.ratis.protocol.LeaderElectionManagementRequest;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.SetConfigurationRequest;
import org.apache.ratis.protocol.SnapshotManagementRequest;
import org.apache.ratis.protocol.TransferLeadershipRequest;
import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;
import org.apache.ratis.thirdparty.com.google.protobuf.Parser;

/**
 * A Ratis client's RPC over QUIC: each client or admin request to a server is a {@code
 * blixard.raft.v1} call of the method for its kind, on the node's pooled QUIC connection to that
 * server. As Ratis's Netty client does, an asynchronous reply that names another leader (or says
 * the leader is not ready) completes with that exception, so that the client follows the leader.
 */
final class QuicRaftClientRpc implements RaftClientRpc {

  /** The method, the request's proto and how the reply becomes Ratis's, for one kind of request. */
  private record Route(
      MethodDescriptor<RaftMessage, RaftMessage> method,
      MessageLite request,
      Parser<?> replyParser,
      Function<Object, RaftClientReply> reply) {}

  private final QuicRaftEndpoint endpoint;
  private final RaftCalls calls;
  private final Duration timeout;
  private final Map<RaftPeerId, RaftPeer> peers = new ConcurrentHashMap<>();

  QuicRaftClientRpc(QuicRaftEndpoint endpoint, Duration timeout) {
    this.endpoint = endpoint;
    this.calls = new RaftCalls(endpoint.metrics());
    this.timeout = timeout;
  }

  @Override
  public void addRaftPeers(Collection<RaftPeer> newPeers) {
    for (RaftPeer peer : newPeers) {
      peers.put(peer.getId(), peer);
    }
  }

  @Override
  public CompletableFuture<RaftClientReply> sendRequestAsync(RaftClientRequest request) {
    CompletableFuture<RaftClientReply> reply;
    try {
      reply = send(request);
    } catch (IOException e) {
      return CompletableFuture.failedFuture(e);
    }
    return reply.thenCompose(
        r -> {
          IOException redirect =
              r.getNotLeaderException() != null
                  ? r.getNotLeaderException()
                  : r.getLeaderNotReadyException();
          return redirect == null
              ? CompletableFuture.completedFuture(r)
              : CompletableFuture.failedFuture(redirect);
        });
  }

  @Override
  public CompletableFuture<RaftClientReply> sendRequestAsyncUnordered(RaftClientRequest request) {
    return sendRequestAsync(request);
  }

  @Override
  public RaftClientReply sendRequest(RaftClientRequest request) throws IOException {
    try {
      return send(request).get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new java.io.InterruptedIOException(
          "interrupted while waiting for a Raft reply from " + request.getServerId());
    } catch (ExecutionException e) {
      throw RaftCallFailures.toIOException(e, request.getServerId().toString());
    }
  }

  @SuppressWarnings("unchecked")
  private CompletableFuture<RaftClientReply> send(RaftClientRequest request) throws IOException {
    RaftPeerId to = request.getServerId();
    RaftPeer peer = peers.get(to);
    if (peer == null) {
      throw new IOException(
          "no Raft address for server " + to + " (expected: a peer of the client's group)");
    }
    QuicRpcChannel channel = endpoint.channel(peer);
    Route route = route(request);
    return calls
        .call(
            channel,
            to.toString(),
            route.method(),
            route.request(),
            (Parser<Object>) route.replyParser(),
            timeout)
        .thenApply(route.reply());
  }

  private static Route route(RaftClientRequest request) {
    Function<Object, RaftClientReply> clientReply =
        p -> ClientProtoUtils.toRaftClientReply((RaftClientReplyProto) p);
    Parser<?> clientReplyParser = RaftClientReplyProto.parser();
    if (request instanceof SetConfigurationRequest r) {
      return new Route(
          RaftServiceGrpc.getSetConfigurationMethod(),
          ClientProtoUtils.toSetConfigurationRequestProto(r),
          clientReplyParser,
          clientReply);
    }
    if (request instanceof TransferLeadershipRequest r) {
      return new Route(
          RaftServiceGrpc.getTransferLeadershipMethod(),
          ClientProtoUtils.toTransferLeadershipRequestProto(r),
          clientReplyParser,
          clientReply);
    }
    if (request instanceof GroupManagementRequest r) {
      return new Route(
          RaftServiceGrpc.getGroupManagementMethod(),
          ClientProtoUtils.toGroupManagementRequestProto(r),
          clientReplyParser,
          clientReply);
    }
    if (request instanceof SnapshotManagementRequest r) {
      return new Route(
          RaftServiceGrpc.getSnapshotManagementMethod(),
          ClientProtoUtils.toSnapshotManagementRequestProto(r),
          clientReplyParser,
          clientReply);
    }
    if (request instanceof LeaderElectionManagementRequest r) {
      return new Route(
          RaftServiceGrpc.getLeaderElectionManagementMethod(),
          ClientProtoUtils.toLeaderElectionManagementRequestProto(r),
          clientReplyParser,
          clientReply);
    }
    if (request instanceof GroupListRequest r) {
      return new Route(
          RaftServiceGrpc.getGroupListMethod(),
          ClientProtoUtils.toGroupListRequestProto(r),
          GroupListReplyProto.parser(),
          p -> ClientProtoUtils.toGroupListReply((GroupListReplyProto) p));
    }
    if (request instanceof GroupInfoRequest r) {
      return new Route(
          RaftServiceGrpc.getGroupInfoMethod(),
          ClientProtoUtils.toGroupInfoRequestProto(r),
          GroupInfoReplyProto.parser(),
          p -> ClientProtoUtils.toGroupInfoReply((GroupInfoReplyProto) p));
    }
    return new Route(
        RaftServiceGrpc.getClientRequestMethod(),
        ClientProtoUtils.toRaftClientRequestProto(request),
        clientReplyParser,
        clientReply);
  }

  @Override
  public void close() {
    peers.clear();
  }
}
