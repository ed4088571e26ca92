package io.blixard.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.cluster.ClusterUnavailableException;
import io.blixard.cluster.RaftRole;
import io.blixard.cluster.RaftState;
import io.blixard.cluster.RaftTransportPlugIn;
import io.blixard.migration.RaftPeerTransports;
import io.blixard.node.NodeId;
import io.blixard.proto.status.v1.GetClusterStatusRequest;
import io.blixard.proto.status.v1.GetRaftStatusRequest;
import io.blixard.proto.status.v1.StatusServiceGrpc;
import io.blixard.status.ClusterStatus;
import io.blixard.status.StatusService;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.support.StaticListableBeanFactory;

class GrpcStatusServiceTest {

  static final NodeId LEADER = NodeId.ofSubjectPublicKeyInfo(new byte[] {1});
  static final NodeId FOLLOWER = NodeId.ofSubjectPublicKeyInfo(new byte[] {2});
  static final Instant JOINED = Instant.parse("2026-11-01T00:00:00Z");

  private boolean available = true;

  private final StatusService domain =
      new StatusService() {
        @Override
        public ClusterStatus clusterStatus() {
          requireAvailable();
          return new ClusterStatus(
              Optional.of(LEADER),
              7,
              "group-1",
              LEADER,
              List.of(
                  new ClusterStatus.ClusterMember(
                      LEADER,
                      "a:7000",
                      "a:7001",
                      "a:7002",
                      "a:8080",
                      RaftRole.LEADER,
                      true,
                      Optional.of(JOINED.plusSeconds(5)),
                      Optional.of(JOINED),
                      true,
                      Optional.empty()),
                  new ClusterStatus.ClusterMember(
                      FOLLOWER,
                      "b:7000",
                      "",
                      "",
                      "",
                      RaftRole.FOLLOWER,
                      true,
                      Optional.empty(),
                      Optional.empty(),
                      false,
                      Optional.of(
                          new io.blixard.cluster.PeerProbe(
                              FOLLOWER,
                              "b:7001",
                              false,
                              Optional.of(java.time.Duration.ofMillis(3)),
                              Optional.of(JOINED.plusSeconds(1)),
                              Optional.of("UNAVAILABLE: io exception"),
                              JOINED.plusSeconds(9))))),
              39,
              40,
              Optional.of(java.time.Duration.ZERO));
        }

        @Override
        public RaftState raftStatus() {
          requireAvailable();
          return new RaftState(
              LEADER,
              "group-1",
              RaftRole.LEADER,
              7,
              Optional.of(LEADER),
              40,
              39,
              41,
              List.of(),
              List.of(new RaftState.FollowerProgress(FOLLOWER, 38, 39, 3, 12)));
        }

        private void requireAvailable() {
          if (!available) {
            throw new ClusterUnavailableException("Raft is not running on this node");
          }
        }
      };

  /** No Raft router and no Raft plug-in: what a node on Ratis's gRPC transport has. */
  private static final StaticListableBeanFactory BEANS = new StaticListableBeanFactory();

  private final InProcessGrpc grpc =
      new InProcessGrpc(
          new GrpcStatusService(
              domain,
              BEANS.getBeanProvider(RaftPeerTransports.class),
              BEANS.getBeanProvider(RaftTransportPlugIn.class)));
  private final StatusServiceGrpc.StatusServiceBlockingStub stub =
      StatusServiceGrpc.newBlockingStub(grpc.channel);

  @AfterEach
  void close() throws InterruptedException {
    grpc.close();
  }

  @Test
  void clusterStatusConvertsEveryNodeAndLeavesUnknownTimesUnset() {
    var response = stub.getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
    assertThat(response.getLeaderId()).isEqualTo(LEADER.value());
    assertThat(response.getTerm()).isEqualTo(7);
    assertThat(response.getGroupId()).isEqualTo("group-1");
    assertThat(response.getNodesList()).hasSize(2);
    var leader = response.getNodes(0);
    assertThat(leader.getRole()).isEqualTo(io.blixard.proto.status.v1.RaftRole.RAFT_ROLE_LEADER);
    assertThat(leader.getQuicAddress()).isEqualTo("a:7002");
    assertThat(leader.getJoinedAt().getSeconds()).isEqualTo(JOINED.getEpochSecond());
    var follower = response.getNodes(1);
    assertThat(follower.hasLastContact()).isFalse();
    assertThat(follower.hasJoinedAt()).isFalse();
    assertThat(leader.getReachable()).isTrue();
    assertThat(follower.getReachable()).isFalse();
    assertThat(follower.getRtt().getNanos()).isEqualTo(3_000_000);
    assertThat(follower.getProbeError()).isEqualTo("UNAVAILABLE: io exception");
    assertThat(response.getAppliedIndex()).isEqualTo(39);
    assertThat(response.getCommitIndex()).isEqualTo(40);
    assertThat(response.getSinceLeaderContact().getSeconds()).isZero();
    assertThat(response.hasSinceLeaderContact()).isTrue();
  }

  @Test
  void raftStatusCarriesIndicesAndFollowerProgress() {
    var response = stub.getRaftStatus(GetRaftStatusRequest.getDefaultInstance());
    assertThat(response.getCommitIndex()).isEqualTo(40);
    assertThat(response.getAppliedIndex()).isEqualTo(39);
    assertThat(response.getLastLogIndex()).isEqualTo(41);
    assertThat(response.getFollowersList())
        .singleElement()
        .satisfies(
            f -> {
              assertThat(f.getNodeId()).isEqualTo(FOLLOWER.value());
              assertThat(f.getMatchIndex()).isEqualTo(38);
              assertThat(f.getLag()).isEqualTo(3);
              assertThat(f.getLastContactMillis()).isEqualTo(12);
              // Neither the router nor a plug-in: Ratis's own gRPC transport.
              assertThat(f.getTransport()).isEqualTo("grpc");
            });
  }

  @Test
  void raftNotRunningIsUnavailableWithTheReason() {
    available = false;
    assertThatThrownBy(() -> stub.getRaftStatus(GetRaftStatusRequest.getDefaultInstance()))
        .isInstanceOfSatisfying(
            StatusRuntimeException.class,
            e -> {
              assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
              assertThat(e.getStatus().getDescription())
                  .isEqualTo("Raft is not running on this node");
            });
  }
}
