/**
 * This node's own parts: its identity (key pair, certificate, node id), its data directory, the
 * addresses its listeners bound, and its settings; and {@link io.blixard.node.NodeAddress}, the one
 * way every part writes and reads where a node is reached ({@code host:port} or {@code
 * NODEID@host:port}).
 *
 * <p>May use: the JDK, Spring, BouncyCastle. Nothing else of the node.
 */
package io.blixard.node;
