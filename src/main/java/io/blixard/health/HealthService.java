package io.blixard.health;

/** Health of this node, whatever transport asks. */
public interface HealthService {

  /** Runs every check and reports the worst status. */
  HealthReport check();

  /** Echoes a payload with the server's clock. */
  PingReply ping(byte[] payload);
}
