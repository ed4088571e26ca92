/**
 * The monitoring domain service: system information, the metrics the node exports, and the cluster
 * health summary.
 *
 * <p>May use: {@code node}, {@code cluster}, Micrometer. Never a transport or generated protos.
 */
package io.blixard.monitoring;
