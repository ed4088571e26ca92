package io.blixard.cluster;

import io.blixard.node.NodeId;
import java.time.Duration;
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

  /** The node ids of every member, voters and listeners: the nodes that apply the log. */
  public List<String> memberIds() {
    return members.stream().map(m -> m.nodeId().value()).toList();
  }

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

    /**
     * Whether this node heard from the member through Raft within the timeout before {@code now}.
     */
    public boolean reachable(Instant now, Duration timeout) {
      return within(lastContact, now, timeout);
    }

    /** Whether a contact happened within the timeout before {@code now}. */
    static boolean within(Optional<Instant> contact, Instant now, Duration timeout) {
      return contact.filter(c -> !c.isBefore(now.minus(timeout))).isPresent();
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

  /**
   * Whether this node is in touch with a quorum: as leader, it heard from a majority of the voters
   * (itself included) within the timeout; otherwise, it knows a leader and heard from it within the
   * timeout. A node that is not in touch with a quorum cannot serve consistent answers.
   */
  public boolean inQuorum(Instant now, Duration timeout) {
    return quorumProblem(now, timeout).isEmpty();
  }

  /** Why this node is not in touch with a quorum; empty when it is. */
  public Optional<String> quorumProblem(Instant now, Duration timeout) {
    if (leaderId.isEmpty()) {
      return Optional.of("no leader known in term " + term + " (this node is " + role + ")");
    }
    if (isLeader()) {
      long voters = voters();
      long reachable = members.stream().filter(m -> m.voter() && m.reachable(now, timeout)).count();
      return reachable * 2 > voters
          ? Optional.empty()
          : Optional.of(
              "lost quorum: heard from "
                  + reachable
                  + " of "
                  + voters
                  + " voters within "
                  + timeout
                  + " (a majority is "
                  + (voters / 2 + 1)
                  + ")");
    }
    NodeId leader = leaderId.get();
    Optional<Member> leaderMember =
        members.stream().filter(m -> m.nodeId().equals(leader)).findFirst();
    if (leaderMember.isPresent() && !leaderMember.get().reachable(now, timeout)) {
      return Optional.of(
          "no contact with leader "
              + leader.shortForm()
              + " within "
              + timeout
              + leaderMember
                  .get()
                  .lastContact()
                  .map(c -> " (last " + Duration.between(c, now).toMillis() + " ms ago)")
                  .orElse(""));
    }
    return Optional.empty();
  }

  /**
   * How long ago this node last heard from the leader: zero on the leader, empty when no leader or
   * no contact is known. It bounds how stale this node's answers may be.
   */
  public Optional<Duration> sinceLeaderContact(Instant now) {
    if (isLeader()) {
      return Optional.of(Duration.ZERO);
    }
    return leaderId.flatMap(
        leader ->
            members.stream()
                .filter(m -> m.nodeId().equals(leader))
                .findFirst()
                .flatMap(Member::lastContact)
                .map(c -> c.isAfter(now) ? Duration.ZERO : Duration.between(c, now)));
  }

  /** How many voters can fail before the group loses its quorum. */
  public long failureTolerance() {
    long voters = voters();
    return voters == 0 ? 0 : (voters - 1) / 2;
  }
}
