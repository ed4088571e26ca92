/**
 * The status domain service: cluster status (leader, term, members and their addresses) and Raft
 * state, read from the cluster core.
 *
 * <p>May use: {@code node}, {@code cluster}. Never a transport or generated protos.
 */
package io.blixard.status;
