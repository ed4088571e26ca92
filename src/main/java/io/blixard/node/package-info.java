/**
 * This node's own parts: its identity (key pair, certificate, node id), its data directory, the
 * addresses its listeners bound, and its settings.
 *
 * <p>May use: the JDK, Spring, BouncyCastle. Nothing else of the node.
 */
package io.blixard.node;
