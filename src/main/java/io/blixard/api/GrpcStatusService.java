package io.blixard.api;

import io.blixard.cluster.PeerProbe;
import io.blixard.cluster.RaftRole;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.RaftTransportPlugIn;
import io.blixard.migration.RaftPeerTransports;
import io.blixard.node.NodeId;
import io.blixard.proto.status.v1.ClusterNode;
import io.blixard.proto.status.v1.FollowerProgress;
import io.blixard.proto.status.v1.GetClusterStatusRequest;
import io.blixard.proto.status.v1.GetClusterStatusResponse;
import io.blixard.proto.status.v1.GetRaftStatusRequest;
import io.blixard.proto.status.v1.GetRaftStatusResponse;
import io.blixard.proto.status.v1.StatusServiceGrpc;
import io.blixard.status.ClusterStatus;
import io.blixard.status.StatusService;
import io.grpc.stub.StreamObserver;
import java.util.Optional;
import java.util.function.Function;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.grpc.server.service.GrpcService;

/** Serves {@link StatusService} as {@code blixard.status.v1.StatusService}. */
@GrpcService
public class GrpcStatusService extends StatusServiceGrpc.StatusServiceImplBase {

  private final StatusService status;
  private final Function<String, String> raftTransportTo;

  /**
   * @param raftTransports with the Raft router, the transport each peer's Raft calls take now
   * @param raftPlugIn without the router, the one transport Raft runs on when it is not Ratis's
   *     gRPC
   */
  public GrpcStatusService(
      StatusService status,
      ObjectProvider<RaftPeerTransports> raftTransports,
      ObjectProvider<RaftTransportPlugIn> raftPlugIn) {
    this.status = status;
    RaftPeerTransports router = raftTransports.getIfAvailable();
    String fixed =
        Optional.ofNullable(raftPlugIn.getIfAvailable())
            .map(RaftTransportPlugIn::name)
            .orElse("grpc");
    this.raftTransportTo =
        router == null ? peer -> fixed : peer -> router.transportsInUse().getOrDefault(peer, "");
  }

  @Override
  public void getClusterStatus(
      GetClusterStatusRequest request, StreamObserver<GetClusterStatusResponse> observer) {
    GrpcErrors.unary(observer, () -> toProto(status.clusterStatus()));
  }

  @Override
  public void getRaftStatus(
      GetRaftStatusRequest request, StreamObserver<GetRaftStatusResponse> observer) {
    GrpcErrors.unary(observer, () -> toProto(status.raftStatus()));
  }

  private static GetClusterStatusResponse toProto(ClusterStatus cluster) {
    GetClusterStatusResponse.Builder response =
        GetClusterStatusResponse.newBuilder()
            .setLeaderId(cluster.leaderId().map(NodeId::value).orElse(""))
            .setTerm(cluster.term())
            .setGroupId(cluster.groupId())
            .setReportedBy(cluster.reportedBy().value())
            .setAppliedIndex(cluster.appliedIndex())
            .setCommitIndex(cluster.commitIndex());
    cluster
        .sinceLeaderContact()
        .map(ProtoTime::duration)
        .ifPresent(response::setSinceLeaderContact);
    for (ClusterStatus.ClusterMember node : cluster.nodes()) {
      ClusterNode.Builder proto =
          ClusterNode.newBuilder()
              .setNodeId(node.nodeId().value())
              .setRaftAddress(node.raftAddress())
              .setGrpcAddress(node.grpcAddress())
              .setQuicAddress(node.quicAddress())
              .setHttpAddress(node.httpAddress())
              .setRole(toProto(node.role()))
              .setVoter(node.voter())
              .setReachable(node.reachable());
      node.probe().flatMap(PeerProbe::rtt).map(ProtoTime::duration).ifPresent(proto::setRtt);
      node.probe().flatMap(PeerProbe::error).ifPresent(proto::setProbeError);
      node.lastContact().map(ProtoTime::timestamp).ifPresent(proto::setLastContact);
      node.joinedAt().map(ProtoTime::timestamp).ifPresent(proto::setJoinedAt);
      response.addNodes(proto);
    }
    return response.build();
  }

  private GetRaftStatusResponse toProto(RaftState state) {
    GetRaftStatusResponse.Builder response =
        GetRaftStatusResponse.newBuilder()
            .setNodeId(state.nodeId().value())
            .setRole(toProto(state.role()))
            .setTerm(state.term())
            .setLeaderId(state.leaderId().map(NodeId::value).orElse(""))
            .setCommitIndex(state.commitIndex())
            .setAppliedIndex(state.appliedIndex())
            .setLastLogIndex(state.lastLogIndex())
            .setGroupId(state.groupId());
    for (RaftState.FollowerProgress f : state.followers()) {
      response.addFollowers(
          FollowerProgress.newBuilder()
              .setNodeId(f.nodeId().value())
              .setMatchIndex(f.matchIndex())
              .setNextIndex(f.nextIndex())
              .setLag(f.lag())
              .setLastContactMillis(f.lastContactMillis())
              .setTransport(raftTransportTo.apply(f.nodeId().value())));
    }
    return response.build();
  }

  static io.blixard.proto.status.v1.RaftRole toProto(RaftRole role) {
    return switch (role) {
      case LEADER -> io.blixard.proto.status.v1.RaftRole.RAFT_ROLE_LEADER;
      case FOLLOWER -> io.blixard.proto.status.v1.RaftRole.RAFT_ROLE_FOLLOWER;
      case CANDIDATE -> io.blixard.proto.status.v1.RaftRole.RAFT_ROLE_CANDIDATE;
      case LISTENER -> io.blixard.proto.status.v1.RaftRole.RAFT_ROLE_LISTENER;
      case UNKNOWN -> io.blixard.proto.status.v1.RaftRole.RAFT_ROLE_UNKNOWN;
    };
  }
}
