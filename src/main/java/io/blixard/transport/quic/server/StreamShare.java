package io.blixard.transport.quic.server;

import io.blixard.node.NodeId;
import io.blixard.transport.quic.QuicAttributes;
import io.blixard.transport.quic.codec.InboundBudget;
import io.blixard.transport.quic.codec.StreamBudget;
import io.netty.incubator.codec.quic.QuicChannel;
import java.util.Optional;

/**
 * The share of the server's limits one stream's call counts against, chosen once from the method
 * its REQUEST names and its connection's certificate: a member's Raft call takes Raft's share, any
 * other call the share every client has. The frame decoder and the call handler of the stream ask
 * the same instance, so they never disagree.
 */
final class StreamShare implements StreamBudget {

  private final QuicChannel connection;
  private final RaftShare raft;
  private final InboundBudget clients;
  private final InboundBudget raftBudget;
  private InboundBudget chosen;
  private boolean raftCall;

  /**
   * @param clients the connection's share of the budget every call shares
   * @param raftBudget the connection's share of Raft's budget
   */
  StreamShare(
      QuicChannel connection, RaftShare raft, InboundBudget clients, InboundBudget raftBudget) {
    this.connection = connection;
    this.raft = raft;
    this.clients = clients;
    this.raftBudget = raftBudget;
  }

  @Override
  public synchronized InboundBudget forMethod(String method) {
    if (chosen == null) {
      raftCall = RaftShare.isRaftMethod(method) && fromMember();
      chosen = raftCall ? raftBudget : clients;
    }
    return chosen;
  }

  /** Whether the stream's call counts against Raft's share; known once its budget is chosen. */
  synchronized boolean raftCall() {
    return raftCall;
  }

  private boolean fromMember() {
    Optional<NodeId> peer = QuicAttributes.peerNodeId(connection);
    return peer.isPresent() && raft.members().test(peer.get());
  }
}
