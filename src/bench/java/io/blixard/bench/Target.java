package io.blixard.bench;

import java.util.concurrent.CompletableFuture;

/** Something the benchmark calls: an RPC stack over one transport, or a raw echo floor. */
public interface Target extends AutoCloseable {

  /** The short name in the report, e.g. {@code grpc-tls}. */
  String name();

  /** Opens what {@code workers} concurrent callers need, so the first measured call is warm. */
  void prepare(int workers) throws Exception;

  /**
   * Sends one request of {@code payload} and waits asynchronously for its echo; {@code worker}
   * names the caller (0 to workers - 1), for targets with one connection per caller.
   */
  CompletableFuture<Void> unary(int worker, byte[] payload);

  /** One server-streaming call answering {@code count} messages; completes with the count seen. */
  CompletableFuture<Integer> stream(int count, byte[] payload);

  /** A new connection, one 64-byte call on it, then closed: the nanoseconds to the response. */
  long coldConnect() throws Exception;

  @Override
  void close();
}
