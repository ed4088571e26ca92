/**
 * The frames of Blixard RPC on QUIC (docs/protocol.md §3): their types, the call header and status
 * payloads, the decoder that waits for a whole frame and the encoder.
 *
 * <p>May use: Netty buffers. Nothing else of the node.
 */
package io.blixard.transport.quic.codec;
