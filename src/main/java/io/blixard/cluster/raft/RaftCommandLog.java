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
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.springframework.stereotype.Component;

/**
 * Proposes signed registry commands to the Raft log through this node's Raft client, which sends
 * them to the leader; each must be committed within {@code blixard.cluster.raft.request-timeout}. A
 * command the state machine refuses (on the leader before it enters the log, or when applied) fails
 * with the registry's one-line reason as an {@link AccessDeniedException}.
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
    try {
      return node.client("write to the registry")
          .async()
          .send(Message.valueOf(ByteString.copyFrom(command.toByteArray())))
          .orTimeout(properties.raft().requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .handle(
              (reply, error) -> {
                if (error == null) {
                  return checkReply(reply);
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
    } catch (ClusterUnavailableException e) {
      return CompletableFuture.failedFuture(e);
    }
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
