package io.blixard.cluster.raft;

import io.blixard.cluster.ClusterProperties;
import io.blixard.cluster.ClusterUnavailableException;
import io.blixard.cluster.registry.CommandLog;
import io.blixard.proto.cluster.v1.RegistryCommand;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.ratis.protocol.Message;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.thirdparty.com.google.protobuf.ByteString;
import org.springframework.stereotype.Component;

/**
 * Proposes registry commands to the Raft log through this node's Raft client, which sends them to
 * the leader; each must be committed within {@code blixard.cluster.raft.request-timeout}.
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
  public CompletableFuture<Void> submit(RegistryCommand command) {
    try {
      return node.client("write to the registry")
          .async()
          .send(Message.valueOf(ByteString.copyFrom(command.toByteArray())))
          .orTimeout(properties.raft().requestTimeout().toMillis(), TimeUnit.MILLISECONDS)
          .thenApply(RaftCommandLog::checkReply);
    } catch (ClusterUnavailableException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private static Void checkReply(RaftClientReply reply) {
    if (!reply.isSuccess()) {
      throw new IllegalStateException(
          "Raft rejected the registry write: "
              + (reply.getException() == null ? "no reason given" : reply.getException()));
    }
    return null;
  }
}
