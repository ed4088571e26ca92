/**
 * The health domain service: the node's checks (Raft, storage, peers), the report they make, and
 * readiness for probes. Actuator health indicators are built from the same checks.
 *
 * <p>May use: {@code node}, {@code cluster}. Never a transport or generated protos.
 */
package io.blixard.health;
