package io.blixard.cluster;

/**
 * How a canary guard changes the cluster's migration strategy: a command signed by this node (not
 * an operator), through the Raft log, which the registry applies only as a guard's change of the
 * version it was made from ({@link GuardChangeRule}).
 */
public interface GuardWrites {

  /**
   * Proposes {@code strategy} as the cluster's next version and waits until it is applied.
   *
   * @param strategy the whole strategy, serialized as the registry stores it
   * @param service the service whose share changes
   * @param change what changes, in words ("health quic-share 0%")
   * @param reason the guard's verdict, kept in the history
   * @param baseVersion the version the change was made from: refused when it is no longer current
   * @throws AccessDeniedException when the registry refuses it (the strategy changed meanwhile, not
   *     a guard's change, a member of a build without guard changes)
   * @throws ClusterUnavailableException when Raft cannot commit it now
   */
  void change(byte[] strategy, String service, String change, String reason, long baseVersion);
}
