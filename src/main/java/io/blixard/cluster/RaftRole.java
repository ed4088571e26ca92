package io.blixard.cluster;

/** The role of a member in the Raft group. */
public enum RaftRole {
  LEADER,
  FOLLOWER,
  CANDIDATE,
  LISTENER,
  /** Not known from where the answer is given. */
  UNKNOWN
}
