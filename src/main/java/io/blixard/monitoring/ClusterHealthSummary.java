package io.blixard.monitoring;

import io.blixard.node.NodeId;
import java.util.Optional;

/**
 * Members, leader and failure tolerance of the cluster.
 *
 * @param nodesHealthy members the answering node heard from within the peer timeout, itself
 *     included
 * @param failureTolerance how many more voters can fail before the cluster loses its quorum, as the
 *     answering node sees it now: zero while it is not in touch with a quorum
 * @param reportedBy the node that answered
 * @param appliedIndex the answering node's applied log index
 * @param sinceLeaderContact how long ago the answering node heard from the leader; zero on the
 *     leader, empty when it knows no leader
 * @param quorumProblem why the answering node is not in touch with a quorum; empty when it is
 */
public record ClusterHealthSummary(
    int nodesTotal,
    int nodesHealthy,
    boolean leaderPresent,
    Optional<NodeId> leaderId,
    int voters,
    int failureTolerance,
    long term,
    long commitIndex,
    NodeId reportedBy,
    long appliedIndex,
    Optional<java.time.Duration> sinceLeaderContact,
    Optional<String> quorumProblem) {}
