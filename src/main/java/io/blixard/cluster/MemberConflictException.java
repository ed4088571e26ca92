package io.blixard.cluster;

/** Thrown when a node asks to join under a node id the group already holds for another node. */
public class MemberConflictException extends RuntimeException {

  public MemberConflictException(String message) {
    super(message);
  }
}
