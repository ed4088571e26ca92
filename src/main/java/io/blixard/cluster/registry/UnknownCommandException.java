package io.blixard.cluster.registry;

/**
 * A committed registry command of a kind this node's command-set version does not have. Skipping it
 * would leave this node's state different from its peers', so the state machine stops applying at
 * {@link #index()} instead; the node applies it once it runs a build that knows it.
 */
public final class UnknownCommandException extends RuntimeException {

  private final long index;

  UnknownCommandException(long index, String message) {
    // No stack trace: the message is the whole story, and Raft logs what it is handed.
    super(message, null, false, false);
    this.index = index;
  }

  /** The Raft log index of the command. */
  public long index() {
    return index;
  }
}
