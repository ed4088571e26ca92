package io.blixard.health;

import io.blixard.cluster.ClusterView;
import java.time.Instant;
import org.springframework.boot.availability.ApplicationAvailability;
import org.springframework.boot.availability.ReadinessState;
import org.springframework.stereotype.Component;

/**
 * Whether the node should receive traffic: the application accepts traffic and this node is in
 * touch with a quorum of its Raft group (a follower with the leader, a leader with a majority). The
 * Actuator readiness group and the standard gRPC health service both follow it.
 */
@Component
public class NodeReadiness {

  private final ApplicationAvailability availability;
  private final ClusterView view;

  public NodeReadiness(ApplicationAvailability availability, ClusterView view) {
    this.availability = availability;
    this.view = view;
  }

  public boolean isReady() {
    return availability.getReadinessState() == ReadinessState.ACCEPTING_TRAFFIC
        && view.state().filter(s -> s.inQuorum(Instant.now(), view.peerTimeout())).isPresent();
  }
}
