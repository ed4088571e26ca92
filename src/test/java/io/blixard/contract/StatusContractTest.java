package io.blixard.contract;

import static org.assertj.core.api.Assertions.assertThat;

import io.blixard.node.NodeEndpoints;
import io.blixard.proto.status.v1.GetClusterStatusRequest;
import io.blixard.proto.status.v1.GetClusterStatusResponse;
import io.blixard.proto.status.v1.GetRaftStatusRequest;
import io.blixard.proto.status.v1.RaftRole;
import io.blixard.proto.status.v1.StatusServiceGrpc;
import io.blixard.support.SingleNodeTestSupport;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** {@code blixard.status.v1.StatusService}: the same answers over every transport. */
public abstract class StatusContractTest extends SingleNodeTestSupport {

  private StatusServiceGrpc.StatusServiceBlockingStub status() {
    return StatusServiceGrpc.newBlockingStub(channel()).withDeadlineAfter(5, TimeUnit.SECONDS);
  }

  @Test
  void clusterStatusShowsThisNodeAsLeaderWithTheAddressOfEveryListener() {
    GetClusterStatusResponse cluster =
        status().getClusterStatus(GetClusterStatusRequest.getDefaultInstance());
    String self = identity.nodeId().value();
    assertThat(cluster.getLeaderId()).isEqualTo(self);
    assertThat(cluster.getReportedBy()).isEqualTo(self);
    assertThat(cluster.getTerm()).isPositive();
    assertThat(cluster.getGroupId()).isNotBlank();
    assertThat(cluster.getNodesList())
        .singleElement()
        .satisfies(
            node -> {
              assertThat(node.getNodeId()).isEqualTo(self);
              assertThat(node.getRole()).isEqualTo(RaftRole.RAFT_ROLE_LEADER);
              assertThat(node.getVoter()).isTrue();
              assertThat(node.getRaftAddress())
                  .isEqualTo(endpoints.hostAndPort(NodeEndpoints.Kind.RAFT));
              assertThat(node.getGrpcAddress())
                  .isEqualTo(endpoints.hostAndPort(NodeEndpoints.Kind.GRPC));
              assertThat(node.getQuicAddress())
                  .isEqualTo(endpoints.hostAndPort(NodeEndpoints.Kind.QUIC));
              assertThat(node.getHttpAddress())
                  .isEqualTo(endpoints.hostAndPort(NodeEndpoints.Kind.HTTP));
              assertThat(node.hasLastContact()).isTrue();
              assertThat(node.hasJoinedAt()).isTrue();
            });
  }

  @Test
  void raftStatusReportsRoleTermAndIndices() {
    var raft = status().getRaftStatus(GetRaftStatusRequest.getDefaultInstance());
    assertThat(raft.getNodeId()).isEqualTo(identity.nodeId().value());
    assertThat(raft.getRole()).isEqualTo(RaftRole.RAFT_ROLE_LEADER);
    assertThat(raft.getLeaderId()).isEqualTo(raft.getNodeId());
    assertThat(raft.getTerm()).isPositive();
    assertThat(raft.getCommitIndex()).isPositive();
    assertThat(raft.getAppliedIndex()).isLessThanOrEqualTo(raft.getCommitIndex());
    assertThat(raft.getLastLogIndex()).isGreaterThanOrEqualTo(raft.getCommitIndex());
    assertThat(raft.getFollowersList()).isEmpty();
  }
}
