/**
 * The {@code blixard} command line (picocli), in the same jar as the node: one class per command,
 * each a client of a running node through {@code client}.
 *
 * <p>May use: {@code client}, {@code migration} (strategy values), generated protos.
 */
package io.blixard.cli;
