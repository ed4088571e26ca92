package io.blixard.cluster.snapshot;

/** A snapshot file or data directory that cannot be used, said in one line: an answer. */
public final class SnapshotException extends RuntimeException {

  public SnapshotException(String message) {
    super(message, null, false, false);
  }
}
