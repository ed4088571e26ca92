/**
 * The {@code blixard} command line (picocli), in the same jar as the node: one class per command,
 * each a client of a running node through {@code client}; {@code --json} answers through {@link
 * io.blixard.cli.Json}, the one way the command line writes JSON.
 *
 * <p>May use: {@code client}, {@code migration} (strategy values and the transports report), {@code
 * node} (addresses), {@code security} (the operator identity and its tokens), {@code
 * transport.grpc} (the gRPC channel factory), generated protos.
 */
package io.blixard.cli;
