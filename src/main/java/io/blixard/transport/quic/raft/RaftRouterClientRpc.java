package io.blixard.transport.quic.raft;

import io.blixard.node.NodeId;
import io.blixard.transport.Transport;
import java.io.IOException;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.apache.ratis.client.RaftClientRpc;
import org.apache.ratis.protocol.RaftClientReply;
import org.apache.ratis.protocol.RaftClientRequest;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;

/**
 * The Raft client's RPC under the router: each client or admin request goes to its server over the
 * transport the {@link RaftPathChooser} picks for that peer (the strategy's {@code raft-transport},
 * the peer's down transports), as the server's own Raft traffic does — Ratis's gRPC client to the
 * peer's Raft port, or {@code blixard.raft.v1} to its registered QUIC address. A request the chosen
 * transport could not deliver is sent once more over the other one, so that a member in quic mode
 * (no Raft port) and one whose QUIC listener is down are both reached.
 */
final class RaftRouterClientRpc implements RaftClientRpc {

  private final RaftClientRpc grpc;
  private final RaftClientRpc quic;
  private final RaftRouting routing;

  RaftRouterClientRpc(RaftClientRpc grpc, RaftClientRpc quic, RaftRouting routing) {
    this.grpc = grpc;
    this.quic = quic;
    this.routing = routing;
  }

  @Override
  public void addRaftPeers(Collection<RaftPeer> peers) {
    grpc.addRaftPeers(peers);
    quic.addRaftPeers(peers);
  }

  /**
   * Sent unordered on either transport: Ratis's gRPC service orders a client's asynchronous
   * requests per stream, so a request that went over QUIC would leave a gap the gRPC stream waits
   * on. The client still matches replies to its requests; each request is applied when committed.
   */
  @Override
  public CompletableFuture<RaftClientReply> sendRequestAsync(RaftClientRequest request) {
    return route(request);
  }

  @Override
  public CompletableFuture<RaftClientReply> sendRequestAsyncUnordered(RaftClientRequest request) {
    return route(request);
  }

  /** Blocking, as Ratis's client sends admin requests: the delegates' own blocking calls. */
  @Override
  public RaftClientReply sendRequest(RaftClientRequest request) throws IOException {
    String peer = request.getServerId().toString();
    boolean quicKnown = routing.quicAddress(NodeId.parse(peer)).isPresent();
    Transport chosen = routing.chooser().choose(peer, routing.strategy(), quicKnown);
    try {
      return rpc(chosen).sendRequest(request);
    } catch (IOException e) {
      Transport other = RaftPathChooser.other(chosen);
      if (RaftRouterServerRpc.notCarried(e) && (other == Transport.GRPC || quicKnown)) {
        return rpc(other).sendRequest(request);
      }
      throw e;
    }
  }

  private RaftClientRpc rpc(Transport transport) {
    return transport == Transport.QUIC ? quic : grpc;
  }

  private CompletableFuture<RaftClientReply> route(RaftClientRequest request) {
    String peer = request.getServerId().toString();
    boolean quicKnown = routing.quicAddress(NodeId.parse(peer)).isPresent();
    Transport chosen = routing.chooser().choose(peer, routing.strategy(), quicKnown);
    return send(chosen, request)
        .handle(
            (reply, failure) -> {
              if (failure == null) {
                return CompletableFuture.completedFuture(reply);
              }
              Throwable cause = unwrap(failure);
              Transport other = RaftPathChooser.other(chosen);
              if (RaftRouterServerRpc.notCarried(cause) && (other == Transport.GRPC || quicKnown)) {
                return send(other, request);
              }
              return CompletableFuture.<RaftClientReply>failedFuture(cause);
            })
        .thenCompose(f -> f);
  }

  private CompletableFuture<RaftClientReply> send(Transport transport, RaftClientRequest request) {
    try {
      return rpc(transport).sendRequestAsyncUnordered(request);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public boolean handleException(RaftPeerId serverId, Throwable e, boolean reconnect) {
    quic.handleException(serverId, e, reconnect);
    return grpc.handleException(serverId, e, reconnect);
  }

  @Override
  public void close() throws IOException {
    try {
      quic.close();
    } finally {
      grpc.close();
    }
  }

  private static Throwable unwrap(Throwable failure) {
    Throwable cause = failure;
    while ((cause instanceof CompletionException || cause instanceof ExecutionException)
        && cause.getCause() != null) {
      cause = cause.getCause();
    }
    return cause;
  }
}
