package io.blixard.transport.quic.raft;

import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * One ordered stream of appendEntries from the leader to one follower, over either transport: the
 * follower answers the requests in the order they were sent. A stream that failed stays failed; the
 * {@link PipelinedLogAppender} opens another.
 */
interface AppendStream {

  /** Sends one request; its reply reaches the listener after those of the requests before it. */
  void send(AppendEntriesRequestProto request);

  /** Ends the stream from this side: requests still in flight are given up. */
  void cancel();

  /**
   * Ends the stream because a request was not answered in time: the transport counts as failed for
   * this peer (where there is a choice of transport), then as {@link #cancel}.
   */
  default void abandon() {
    cancel();
  }

  /** What a stream tells its appender; called on the transport's threads. */
  interface Listener {
    void onReply(AppendEntriesReplyProto reply);

    /** The stream ended without the replies of the requests still in flight. */
    void onError(Throwable failure);
  }

  /** Where a node's Raft server RPC opens its appender's streams. */
  interface Opener {
    /**
     * Opens a stream to {@code follower}. Never throws: a stream that cannot be opened reports its
     * failure to the listener.
     */
    AppendStream open(RaftPeerId follower, Listener listener);
  }

  /** A stream that was never opened: it sends nothing. */
  enum Closed implements AppendStream {
    INSTANCE;

    @Override
    public void send(AppendEntriesRequestProto request) {}

    @Override
    public void cancel() {}
  }
}
