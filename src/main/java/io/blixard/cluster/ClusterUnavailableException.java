package io.blixard.cluster;

/** Thrown when an answer needs Raft and Raft is not running or has no leader. */
public class ClusterUnavailableException extends RuntimeException {

  public ClusterUnavailableException(String message) {
    super(message);
  }
}
