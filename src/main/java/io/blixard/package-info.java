/**
 * The Blixard node: a Spring Boot application that runs one member of a Raft cluster and serves its
 * services over gRPC and over Blixard RPC on QUIC at the same time.
 *
 * <p>Read the packages from the inside out. The domain ({@code node}, {@code cluster}, {@code
 * health}, {@code status}, {@code monitoring}) knows no transport. {@code api} adapts each domain
 * service to its generated gRPC base class; {@code rpc} collects those definitions into one
 * catalogue with the interceptors every call passes. {@code transport} names the transports, and
 * {@code transport.grpc} and {@code transport.quic} each serve the whole catalogue, neither knowing
 * the other. {@code migration} says which transport each service prefers; {@code client} and {@code
 * peers} call other nodes by it; {@code cli} is the command line.
 */
package io.blixard;
