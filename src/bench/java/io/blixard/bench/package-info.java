/**
 * The transport benchmark ({@code ./mvnw -Pbench verify}): starts nodes from the built jar and raw
 * echo servers as processes, measures every cell (workload, payload, concurrency, loss) over every
 * target in interleaved rounds, then (the Raft section) registry writes and failovers on two
 * three-node clusters in network namespaces, Raft over gRPC against Raft over QUIC, and writes the
 * report — medians over the rounds, ratios within each
 * round with their range, charts and JSON. Compiled with the tests, never part of the jar; it may use
 * the node's public classes, the generated stubs, the QUIC client and the test libraries.
 */
package io.blixard.bench;
