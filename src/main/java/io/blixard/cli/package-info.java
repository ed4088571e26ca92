/**
 * The {@code blixard} command line (picocli), the jar's entry point: {@code blixard node} starts
 * the node through the starter {@code BlixardApplication} hands in; every other command is a client
 * of a running node through {@code client}, one class per command. {@code --json} answers through
 * {@link io.blixard.cli.Json}, the one way the command line writes JSON; {@code Failures} turns
 * every failure into one line and an exit code.
 *
 * <p>May use: {@code client}, {@code migration} (strategy values and the transports report), {@code
 * node} (addresses), {@code security} (the operator identity and its tokens), {@code
 * transport.grpc} (the gRPC channel factory), generated protos.
 */
package io.blixard.cli;
