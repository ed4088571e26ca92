package io.blixard.cluster;

import io.blixard.node.NodeId;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * This node's view of the Raft group at one instant.
 *
 * @param leaderId empty when no leader is known
 * @param members every member of the current configuration, this node included
 * @param followers on the leader, the replication progress of the other members; empty elsewhere
 */
public record RaftState(
    NodeId nodeId,
    String groupId,
    RaftRole role,
    long term,
    Optional<NodeId> leaderId,
    long commitIndex,
    long appliedIndex,
    long lastLogIndex,
    List<Member> members,
    List<FollowerProgress> followers) {

  /**
   * A member of the Raft configuration.
   *
   * @param lastContact when this node last heard from it (now for itself); empty when unknown
   */
  public record Member(
      NodeId nodeId,
      String raftAddress,
      boolean voter,
      RaftRole role,
      Optional<Instant> lastContact) {

    /** Whether this node heard from the member within the timeout before {@code now}. */
    public boolean reachable(Instant now, java.time.Duration timeout) {
      return lastContact.filter(c -> !c.isBefore(now.minus(timeout))).isPresent();
    }
  }

  /** A follower's replication progress, as the leader sees it. */
  public record FollowerProgress(
      NodeId nodeId, long matchIndex, long nextIndex, long lag, long lastContactMillis) {}

  public boolean isLeader() {
    return role == RaftRole.LEADER;
  }

  public long voters() {
    return members.stream().filter(Member::voter).count();
  }

  /** How many voters can fail before the group loses its quorum. */
  public long failureTolerance() {
    long voters = voters();
    return voters == 0 ? 0 : (voters - 1) / 2;
  }
}
