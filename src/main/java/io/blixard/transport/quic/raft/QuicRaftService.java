package io.blixard.transport.quic.raft;

import io.blixard.proto.raft.v1.RaftMessage;
import io.blixard.proto.raft.v1.RaftServiceGrpc;
import io.blixard.rpc.Caller;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupInfoRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupListRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.LeaderElectionManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftClientRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.SetConfigurationRequestProto;
import org.apache.ratis.proto.RaftProtos.SnapshotManagementRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.proto.RaftProtos.TransferLeadershipRequestProto;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.thirdparty.com.google.protobuf.MessageLite;
import org.apache.ratis.thirdparty.com.google.protobuf.Parser;

/**
 * Serves {@code blixard.raft.v1.RaftService}: each call's Ratis request goes to this node's Ratis
 * server (its server, client and admin protocols) and its reply comes back serialized. Calls whose
 * caller the Raft engine does not trust (a member, or a node being added) are refused with
 * PERMISSION_DENIED; while Raft is not running here they get UNAVAILABLE.
 */
public final class QuicRaftService extends RaftServiceGrpc.RaftServiceImplBase {

  private final QuicRaftEndpoint endpoint;

  public QuicRaftService(QuicRaftEndpoint endpoint) {
    this.endpoint = endpoint;
  }

  /** How one call is handled once its request is parsed: Ratis's answer, later. */
  private interface Handler<Q> {
    CompletableFuture<? extends MessageLite> handle(RaftServer server, Q request) throws Exception;
  }

  @Override
  public void requestVote(RaftMessage request, StreamObserver<RaftMessage> observer) {
    serve(
        request,
        observer,
        RequestVoteRequestProto.parser(),
        "RequestVote",
        "RequestVoteRequestProto",
        (s, q) -> CompletableFuture.completedFuture(s.requestVote(q)));
  }

  @Override
  public void appendEntries(RaftMessage request, StreamObserver<RaftMessage> observer) {
    serve(
        request,
        observer,
        AppendEntriesRequestProto.parser(),
        "AppendEntries",
        "AppendEntriesRequestProto",
        RaftServer::appendEntriesAsync);
  }

  /**
   * The leader's pipelined appendEntries: each request is handed to Ratis as it arrives (in order,
   * on this call's serial executor), and each reply is sent once those of the requests before it
   * are, as Ratis's own gRPC service does. The first failure ends the stream with its status.
   */
  @Override
  public StreamObserver<RaftMessage> appendEntriesStream(StreamObserver<RaftMessage> observer) {
    Optional<RaftServer> server = admit(observer);
    if (server.isEmpty()) {
      return new StreamObserver<>() {
        @Override
        public void onNext(RaftMessage value) {}

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {}
      };
    }
    return new OrderedAppends(server.get(), observer, endpoint.metrics());
  }

  /** One leader's stream of appendEntries: started in arrival order, answered in that order. */
  private static final class OrderedAppends implements StreamObserver<RaftMessage> {
    private final RaftServer server;
    private final StreamObserver<RaftMessage> replies;
    private final RaftRpcMetrics metrics;
    private CompletableFuture<Void> previous = CompletableFuture.completedFuture(null);
    private boolean failed;

    OrderedAppends(RaftServer server, StreamObserver<RaftMessage> replies, RaftRpcMetrics metrics) {
      this.server = server;
      this.replies = replies;
      this.metrics = metrics;
    }

    @Override
    public void onNext(RaftMessage message) {
      metrics.served(MeasuredAppendStream.METHOD);
      CompletableFuture<? extends MessageLite> reply;
      try {
        reply =
            server.appendEntriesAsync(
                RaftMessages.unwrap(
                    message, AppendEntriesRequestProto.parser(), "AppendEntriesRequestProto"));
      } catch (Exception e) {
        reply = CompletableFuture.failedFuture(e);
      }
      previous = previous.thenCombine(reply, (ignored, r) -> r).handle(this::answer);
    }

    /** Runs in request order: replies, or fails the stream once. */
    private synchronized Void answer(MessageLite reply, Throwable failure) {
      if (failed) {
        return null;
      }
      if (failure != null) {
        failed = true;
        replies.onError(RaftCallFailures.toStatus(failure));
      } else {
        replies.onNext(RaftMessages.wrap(reply));
      }
      return null;
    }

    @Override
    public void onError(Throwable t) {
      // The leader cancelled or lost the stream: nothing is owed to it.
    }

    @Override
    public void onCompleted() {
      previous.whenComplete(
          (r, e) -> {
            synchronized (this) {
              if (!failed) {
                failed = true;
                replies.onCompleted();
              }
            }
          });
    }
  }

  @Override
  public void installSnapshot(RaftMessage request, StreamObserver<RaftMessage> observer) {
    serve(
        request,
        observer,
        InstallSnapshotRequestProto.parser(),
        "InstallSnapshot",
        "InstallSnapshotRequestProto",
        (s, q) -> CompletableFuture.completedFuture(s.installSnapshot(q)));
  }

  @Override
  public void startLeaderElection(RaftMessage request, StreamObserver<RaftMessage> observer) {
    serve(
        request,
        observer,
        StartLeaderElectionRequestProto.parser(),
        "StartLeaderElection",
        "StartLeaderElectionRequestProto",
        (s, q) -> CompletableFuture.completedFuture(s.startLeaderElection(q)));
  }

  @Override
  public void readIndex(RaftMessage request, StreamObserver<RaftMessage> observer) {
    serve(
        request,
        observer,
        ReadIndexRequestProto.parser(),
        "ReadIndex",
        "ReadIndexRequestProto",
        RaftServer::readIndexAsync);
  }

  @Override
  public void clientRequest(RaftMessage request, StreamObserver<RaftMessage> observer) {
    serve(
        request,
        observer,
        RaftClientRequestProto.parser(),
        "ClientRequest",
        "RaftClientRequestProto",
        (s, q) ->
            s.submitClientRequestAsync(ClientProtoUtils.toRaftClientRequest(q))
                .thenApply(ClientProtoUtils::toRaftClientReplyProto));
  }

  @Override
  public void setConfiguration(RaftMessage request, StreamObserver<RaftMessage> observer) {
    serve(
        request,
        observer,
        SetConfigurationRequestProto.parser(),
        "SetConfiguration",
        "SetConfigurationRequestProto",
        (s, q) ->
            s.setConfigurationAsync(ClientProtoUtils.toSetConfigurationRequest(q))
                .thenApply(ClientProtoUtils::toRaftClientReplyProto));
  }

  @Override
  public void transferLeadership(RaftMessage request, StreamObserver<RaftMessage> observer) {
    serve(
        request,
        observer,
        TransferLeadershipRequestProto.parser(),
        "TransferLeadership",
        "TransferLeadershipRequestProto",
        (s, q) ->
            s.transferLeadershipAsync(ClientProtoUtils.toTransferLeadershipRequest(q))
                .thenApply(ClientProtoUtils::toRaftClientReplyProto));
  }

  @Override
  public void groupManagement(RaftMessage request, StreamObserver<RaftMessage> observer) {
    serve(
        request,
        observer,
        GroupManagementRequestProto.parser(),
        "GroupManagement",
        "GroupManagementRequestProto",
        (s, q) ->
            s.groupManagementAsync(ClientProtoUtils.toGroupManagementRequest(q))
                .thenApply(ClientProtoUtils::toRaftClientReplyProto));
  }

  @Override
  public void snapshotManagement(RaftMessage request, StreamObserver<RaftMessage> observer) {
    serve(
        request,
        observer,
        SnapshotManagementRequestProto.parser(),
        "SnapshotManagement",
        "SnapshotManagementRequestProto",
        (s, q) ->
            s.snapshotManagementAsync(ClientProtoUtils.toSnapshotManagementRequest(q))
                .thenApply(ClientProtoUtils::toRaftClientReplyProto));
  }

  @Override
  public void leaderElectionManagement(RaftMessage request, StreamObserver<RaftMessage> observer) {
    serve(
        request,
        observer,
        LeaderElectionManagementRequestProto.parser(),
        "LeaderElectionManagement",
        "LeaderElectionManagementRequestProto",
        (s, q) ->
            s.leaderElectionManagementAsync(ClientProtoUtils.toLeaderElectionManagementRequest(q))
                .thenApply(ClientProtoUtils::toRaftClientReplyProto));
  }

  @Override
  public void groupList(RaftMessage request, StreamObserver<RaftMessage> observer) {
    serve(
        request,
        observer,
        GroupListRequestProto.parser(),
        "GroupList",
        "GroupListRequestProto",
        (s, q) ->
            s.getGroupListAsync(ClientProtoUtils.toGroupListRequest(q))
                .thenApply(ClientProtoUtils::toGroupListReplyProto));
  }

  @Override
  public void groupInfo(RaftMessage request, StreamObserver<RaftMessage> observer) {
    serve(
        request,
        observer,
        GroupInfoRequestProto.parser(),
        "GroupInfo",
        "GroupInfoRequestProto",
        (s, q) ->
            s.getGroupInfoAsync(ClientProtoUtils.toGroupInfoRequest(q))
                .thenApply(ClientProtoUtils::toGroupInfoReplyProto));
  }

  private <Q> void serve(
      RaftMessage message,
      StreamObserver<RaftMessage> observer,
      Parser<Q> parser,
      String method,
      String what,
      Handler<Q> handler) {
    Optional<RaftServer> server = admit(observer);
    if (server.isEmpty()) {
      return;
    }
    endpoint.metrics().served(method);
    CompletableFuture<? extends MessageLite> reply;
    try {
      reply = handler.handle(server.get(), RaftMessages.unwrap(message, parser, what));
    } catch (Exception e) {
      observer.onError(RaftCallFailures.toStatus(e));
      return;
    }
    reply.whenComplete(
        (r, e) -> {
          if (e != null) {
            observer.onError(RaftCallFailures.toStatus(e));
          } else {
            observer.onNext(RaftMessages.wrap(r));
            observer.onCompleted();
          }
        });
  }

  /**
   * This node's Raft server if it runs and trusts the caller (a member, or a node being added);
   * otherwise the call is ended with UNAVAILABLE or PERMISSION_DENIED.
   */
  private Optional<RaftServer> admit(StreamObserver<RaftMessage> observer) {
    Optional<QuicRaftEndpoint.Attached> attached = endpoint.attached();
    if (attached.isEmpty()) {
      observer.onError(
          Status.UNAVAILABLE
              .withDescription("Raft is not running on this node")
              .asRuntimeException());
      return Optional.empty();
    }
    if (!attached.get().trusts(Caller.current())) {
      observer.onError(
          Status.PERMISSION_DENIED
              .withDescription(
                  "blixard.raft.v1.RaftService needs a member's certificate; caller "
                      + Caller.current().map(id -> id.shortForm()).orElse("(none)")
                      + " is not a member of the Raft group (expected: a member, or a node being"
                      + " added)")
              .asRuntimeException());
      return Optional.empty();
    }
    return Optional.of(attached.get().server());
  }
}
