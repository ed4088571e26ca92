package io.blixard.health;

import io.blixard.cluster.RaftNode;
import io.blixard.cluster.RaftState;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.stereotype.Component;

/**
 * Whether the node should receive traffic: the application accepts traffic and Raft has a leader.
 * The Actuator readiness group and the standard gRPC health service both follow it.
 */
@Component
public class NodeReadiness {

  private final ApplicationAvailability availability;
  private final RaftNode raft;

  public NodeReadiness(ApplicationAvailability availability, RaftNode raft) {
    this.availability = availability;
    this.raft = raft;
  }

  public boolean isReady() {
    return availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC
        && raft.state().flatMap(RaftState::leaderId).isPresent();
  }
}
