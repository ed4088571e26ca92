package io.blixard.cluster.raft;

import io.blixard.cluster.AccessDeniedException;
import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.ClusterUnavailableException;
import io.blixard.cluster.registry.CommandLog;
import io.blixard.cluster.registry.CommandRefusal;
import io.blixard.proto.cluster.v1.SignedCommand;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.client.RaftClient;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.exceptions.AlreadyClosedException;
import org.apache.ratis.protocol.exceptions.RaftRetryFailureException;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.springframework.stereotype.Component;

/**
 * Proposes signed registry commands to the Raft log through this node's Raft client, which sends
 * them to the leader; each must be committed within {@code blixard.cluster.raft.request-timeout}. A
 * command the state machine refuses (on the leader before it enters the log, or when applied) fails
 * with the registry's one-line reason as an {@link AccessDeniedException}. A write that finds the
 * Raft client closed by Ratis fails, and has the node replace the client for the next one.
 */
@Component
public class RaftCommandLog implements CommandLog {

  private final RaftNode node;
  private final ClusterProperties properties;

  public RaftCommandLog(RaftNode node, ClusterProperties properties) {
    this.node = node;
    this.properties = properties;
  }

  @Override
  public CompletableFuture<Void> submit(SignedCommand command) {
    RaftClient client;
    try {
      client = node.client("write to the registry");
    } catch (ClusterUnavailableException e) {
      return CompletableFuture.failedFuture(e);
    }
    return client
        .async()
        .send(Message.valueOf(ByteString.copyFrom(command.toByteArray())))
        .orTimeout(properties.raft().requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (reply, error) -> {
              if (error == null) {
                return checkReply(reply);
              }
              if (closesTheClient(error)) {
                // This write fails; the next one goes through a new client.
                node.renewClient(client, error);
              }
              // The async client may fail the call itself with the leader's refusal inside.
              for (Throwable t = error; t != null; t = t.getCause()) {
                Optional<CommandRefusal> refusal = ClusterStateMachine.refusalIn(t.getMessage());
                if (refusal.isPresent()) {
                  throw refused(refusal.get());
                }
              }
              throw error instanceof CompletionException c ? c : new CompletionException(error);
            });
  }

  /**
   * Whether Ratis has closed, or is closing, the client's ordered window: a request out of retries
   * ends it, and every request after that is refused by it.
   */
  private static boolean closesTheClient(Throwable error) {
    for (Throwable t = error; t != null; t = t.getCause()) {
      if (t instanceof RaftRetryFailureException || t instanceof AlreadyClosedException) {
        return true;
      }
      if (t.getCause() == t) {
        break;
      }
    }
    return false;
  }

  private static Void checkReply(RaftClientReply reply) {
    if (!reply.isSuccess()) {
      String message = reply.getException() == null ? null : reply.getException().getMessage();
      Optional<CommandRefusal> refusal = ClusterStateMachine.refusalIn(message);
      if (refusal.isPresent()) {
        throw refused(refusal.get());
      }
      throw new IllegalStateException(
          "Raft rejected the registry write: "
              + (reply.getException() == null ? "no reason given" : reply.getException()));
    }
    // Committed, but skipped when applied: a command committed before it changed the answer.
    Optional<CommandRefusal> skipped =
        reply.getMessage() == null
            ? Optional.<CommandRefusal>empty()
            : ClusterStateMachine.refusalIn(reply.getMessage().getContent().toStringUtf8());
    if (skipped.isPresent()) {
      throw refused(skipped.get());
    }
    return null;
  }

  private static RuntimeException refused(CommandRefusal refusal) {
    return refusal.reason().equals("invalid")
        ? new IllegalArgumentException(refusal.message())
        : new AccessDeniedException(refusal.reason(), refusal.message());
  }
}
