package io.blixard.transport.quic.raft;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.ratis.grpc.GrpcConfigKeys;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotResult;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.leader.FollowerInfo;
import org.apache.ratis.server.leader.LeaderState;
import org.apache.ratis.server.leader.LogAppenderBase;
import org.apache.ratis.server.raftlog.RaftLog;
import org.apache.ratis.statemachine.SnapshotInfo;
import org.apache.ratis.util.TimeDuration;
import org.apache.ratis.util.Timestamp;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The leader's log appender for one follower with several appendEntries in flight, in order, on one
 * {@link AppendStream} — what Ratis's gRPC appender does with its gRPC stream, over whichever
 * transport the node's Raft server RPC opens the stream on. Entries are sent as soon as they are in
 * the log, up to Ratis's {@code raft.grpc.server.leader.outstanding.appends.max} requests without a
 * reply; the follower's next index moves on when a request is sent, and back when the follower says
 * it is inconsistent or the stream fails. A request with no reply within Ratis's request timeout
 * resets the stream. Snapshots go one chunk at a time over the blocking installSnapshot.
 */
final class PipelinedLogAppender extends LogAppenderBase {

  private static final Logger log = LoggerFactory.getLogger(PipelinedLogAppender.class);

  private static final java.time.Duration MAX_BACKOFF = java.time.Duration.ofSeconds(1);

  /** A request sent and not answered yet. */
  private record Pending(long previousIndex, long firstIndex, boolean heartbeat, Timestamp sent) {}

  private final AppendStream.Opener opener;
  private final int maxInFlight;
  private final TimeDuration requestTimeout;
  private final TimeDuration retryWait;
  private final AtomicLong callIds = new AtomicLong();

  /** Guards the stream, the requests in flight and the follower's next index as they change. */
  private final Object lock = new Object();

  private final Map<Long, Pending> inFlight = new LinkedHashMap<>();
  private AppendStream stream;

  /** Counts the streams opened and the resets: replies of an older generation are ignored. */
  private long generation;

  private boolean firstReplyReceived;
  private long retryAfterNanos;
  private long failures;

  PipelinedLogAppender(
      RaftServer.Division server,
      LeaderState leaderState,
      FollowerInfo follower,
      AppendStream.Opener opener) {
    super(server, leaderState, follower);
    this.opener = opener;
    var properties = server.getRaftServer().getProperties();
    this.maxInFlight = Math.max(1, GrpcConfigKeys.Server.leaderOutstandingAppendsMax(properties));
    this.requestTimeout = RaftServerConfigKeys.Rpc.requestTimeout(properties);
    this.retryWait = server.properties().rpcSleepTime();
  }

  @Override
  public long getCallId() {
    return callIds.get();
  }

  @Override
  public Comparator<Long> getCallIdComparator() {
    return Long::compare;
  }

  @Override
  public boolean hasPendingDataRequests() {
    synchronized (lock) {
      return inFlight.values().stream().anyMatch(p -> !p.heartbeat());
    }
  }

  @Override
  public void run() throws InterruptedException, IOException {
    try {
      while (isRunning()) {
        boolean sent = false;
        expireTimedOut();
        if (!waitingToRetry() && (shouldSendAppendEntries() || followerCommitBehind())) {
          SnapshotInfo snapshot = shouldInstallSnapshot();
          if (snapshot != null) {
            reset(null, "installing a snapshot");
            installSnapshot(snapshot);
          } else {
            sent = appendLog();
          }
        }
        getLeaderState().checkHealth(getFollower());
        if (isRunning()) {
          getEventAwaitForSignal().await(waitMillis(sent), TimeUnit.MILLISECONDS);
        }
      }
    } finally {
      synchronized (lock) {
        if (stream != null) {
          stream.cancel();
          stream = null;
        }
        inFlight.clear();
      }
    }
  }

  private boolean followerCommitBehind() {
    return getRaftLog().getLastCommittedIndex() > getFollower().getCommitIndex();
  }

  private boolean tooManyInFlight() {
    synchronized (lock) {
      int size = inFlight.size();
      // After a reset, one request at a time until the follower answers the first.
      return size >= maxInFlight || (size > 0 && !firstReplyReceived);
    }
  }

  private boolean waitingToRetry() {
    synchronized (lock) {
      return System.nanoTime() - retryAfterNanos < 0;
    }
  }

  private long waitMillis(boolean sent) {
    long heartbeat = getHeartbeatWaitTimeMs();
    synchronized (lock) {
      long retry = TimeUnit.NANOSECONDS.toMillis(retryAfterNanos - System.nanoTime());
      if (retry > 0) {
        return Math.min(Math.max(heartbeat, 1), retry);
      }
    }
    if (tooManyInFlight() || !hasAppendEntries()) {
      return Math.max(heartbeat, 1);
    }
    // Entries wait and there is room: at once, unless the last turn could not build a request.
    return sent ? 0 : Math.max(1, Math.min(heartbeat, 5));
  }

  /**
   * Sends the next request: entries if the log has some for the follower and there is room, else a
   * heartbeat when one is due. Whether a request went out.
   */
  private boolean appendLog() throws IOException {
    boolean full = tooManyInFlight();
    if (full && getHeartbeatWaitTimeMs() > 0) {
      return false;
    }
    AppendEntriesRequestProto request;
    AppendStream out;
    synchronized (lock) {
      long callId = callIds.getAndIncrement();
      request = newAppendEntriesRequest(callId, full);
      if (request == null) {
        return false;
      }
      int count = request.getEntriesCount();
      inFlight.put(
          callId,
          new Pending(
              request.hasPreviousLog()
                  ? request.getPreviousLog().getIndex()
                  : RaftLog.INVALID_LOG_INDEX,
              count > 0 ? request.getEntries(0).getIndex() : RaftLog.INVALID_LOG_INDEX,
              count == 0,
              Timestamp.currentTime()));
      if (count > 0) {
        getFollower().increaseNextIndex(request.getEntries(count - 1).getIndex() + 1);
      }
      if (stream == null) {
        long opening = ++generation;
        AppendStream opened = opener.open(getFollowerId(), new Replies(opening));
        if (generation == opening) {
          stream = opened;
        } else {
          opened.cancel(); // it failed while opening, and the failure reset the appender
        }
      }
      out = stream;
    }
    resetHeartbeatTrigger();
    getFollower().updateLastRpcSendTime(request.getEntriesCount() == 0);
    if (out != null) {
      out.send(request);
    }
    return true;
  }

  /** A request unanswered for longer than Ratis's request timeout resets the stream. */
  private void expireTimedOut() {
    Pending oldest;
    synchronized (lock) {
      Iterator<Pending> first = inFlight.values().iterator();
      oldest = first.hasNext() ? first.next() : null;
    }
    if (oldest != null && oldest.sent().elapsedTime().compareTo(requestTimeout) > 0) {
      synchronized (lock) {
        if (stream != null) {
          stream.abandon();
        }
        reset(oldest, "no reply within " + requestTimeout);
      }
    }
  }

  /**
   * Gives up the stream and every request in flight; the follower's next index goes back to the
   * first entry that may not have arrived ({@code first} names it, if known).
   */
  private void reset(Pending first, String why) {
    synchronized (lock) {
      generation++;
      if (stream == null && inFlight.isEmpty()) {
        return;
      }
      Pending firstData =
          first != null && !first.heartbeat()
              ? first
              : inFlight.values().stream().filter(p -> !p.heartbeat()).findFirst().orElse(null);
      if (stream != null) {
        stream.cancel();
        stream = null;
      }
      inFlight.clear();
      firstReplyReceived = false;
      if (firstData != null) {
        getFollower().computeNextIndex(getNextIndexForError(firstData.previousIndex() + 1));
      }
      if (why != null && failures++ % 10 == 0) {
        log.info("{}: reset the appendEntries stream: {}", this, why);
      }
    }
  }

  /** The replies of one stream; those of a stream already given up are ignored. */
  private final class Replies implements AppendStream.Listener {
    private final long generation;

    Replies(long generation) {
      this.generation = generation;
    }

    @Override
    public void onReply(AppendEntriesReplyProto reply) {
      Pending request;
      synchronized (lock) {
        if (generation != PipelinedLogAppender.this.generation) {
          return;
        }
        request = inFlight.remove(reply.getServerReply().getCallId());
        firstReplyReceived = true;
        failures = 0;
      }
      if (request != null) {
        getFollower().updateLastRespondedAppendEntriesSendTime(request.sent());
      }
      getFollower().updateLastRpcResponseTime();
      handle(reply, request);
    }

    @Override
    public void onError(Throwable failure) {
      synchronized (lock) {
        if (generation != PipelinedLogAppender.this.generation) {
          return;
        }
        retryAfterNanos = System.nanoTime() + backoffNanos();
        reset(null, String.valueOf(failure.getMessage()));
      }
      getServerRpc().handleException(getFollowerId(), asException(failure), true);
      notifyLogAppender();
    }
  }

  /**
   * How long to wait before the next attempt after a failure: Ratis's {@code rpc.sleep.time},
   * doubled with each failure in a row up to {@link #MAX_BACKOFF}, so that a follower that is down
   * costs a few attempts a second and one that comes back is caught up within a second.
   */
  private long backoffNanos() {
    long base = retryWait.toLong(TimeUnit.NANOSECONDS);
    long doubled = base << Math.min(failures, 6);
    return Math.min(doubled, MAX_BACKOFF.toNanos());
  }

  private static Exception asException(Throwable failure) {
    return failure instanceof Exception e ? e : new IOException(failure);
  }

  private void handle(AppendEntriesReplyProto reply, Pending request) {
    switch (reply.getResult()) {
      case SUCCESS -> {
        getLeaderState().onFollowerCommitIndex(getFollower(), reply.getFollowerCommit());
        if (getFollower().updateMatchIndex(reply.getMatchIndex())) {
          getFollower().updateNextIndex(reply.getMatchIndex() + 1);
          getLeaderState().onFollowerSuccessAppendEntries(getFollower());
        }
      }
      case NOT_LEADER -> {
        if (onFollowerTerm(reply.getTerm())) {
          return;
        }
      }
      case INCONSISTENCY -> {
        long first = request != null ? request.firstIndex() : RaftLog.INVALID_LOG_INDEX;
        synchronized (lock) {
          inFlight.clear();
          getFollower().setNextIndex(getNextIndexForInconsistency(first, reply.getNextIndex()));
        }
      }
      default -> log.warn("{}: unexpected appendEntries reply {}", this, reply.getResult());
    }
    getLeaderState().onAppendEntriesReply(this, reply);
    notifyLogAppender();
  }

  /** As Ratis's default appender: the snapshot's chunks one after the other, each answered. */
  private void installSnapshot(SnapshotInfo snapshot) throws InterruptedIOException {
    log.info(
        "{}: follower's next index {} is below the log's start {}, sending snapshot {}",
        this,
        getFollower().getNextIndex(),
        getRaftLog().getStartIndex(),
        snapshot);
    InstallSnapshotReplyProto reply = null;
    try {
      for (InstallSnapshotRequestProto request :
          newInstallSnapshotRequests(UUID.randomUUID().toString(), snapshot)) {
        getFollower().updateLastRpcSendTime(false);
        reply = getServerRpc().installSnapshot(request);
        getFollower().updateLastRpcResponseTime();
        if (!reply.getServerReply().getSuccess()) {
          break;
        }
      }
    } catch (InterruptedIOException e) {
      throw e;
    } catch (Exception e) {
      log.warn("{}: failed to install snapshot {}: {}", this, snapshot, e.toString());
      getServerRpc().handleException(getFollowerId(), e, false);
      synchronized (lock) {
        retryAfterNanos = System.nanoTime() + backoffNanos();
      }
      return;
    }
    if (reply == null) {
      return;
    }
    switch (reply.getResult()) {
      case NOT_LEADER -> onFollowerTerm(reply.getTerm());
      case SUCCESS, SNAPSHOT_UNAVAILABLE, ALREADY_INSTALLED, SNAPSHOT_EXPIRED -> {
        if (reply.getResult() == InstallSnapshotResult.SUCCESS) {
          getFollower().setSnapshotIndex(snapshot.getTermIndex().getIndex());
          getServer().getRaftServerMetrics().onSnapshotInstalled();
          log.info("{}: installed snapshot {}", this, snapshot);
        }
        getFollower().setAttemptedToInstallSnapshot();
      }
      default -> {}
    }
  }
}
