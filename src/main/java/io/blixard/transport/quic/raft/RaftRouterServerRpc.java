package io.blixard.transport.quic.raft;

import io.blixard.migration.RaftTransport;
import io.blixard.node.NodeId;
import io.blixard.proto.raft.v1.RaftServiceGrpc;
import io.blixard.transport.Transport;
import io.blixard.transport.quic.client.QuicRpcChannel;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.ratis.client.impl.ClientProtoUtils;
import org.apache.ratis.proto.RaftProtos.AppendEntriesReplyProto;
import org.apache.ratis.proto.RaftProtos.AppendEntriesRequestProto;
import org.apache.ratis.proto.RaftProtos.GroupListReplyProto;
import org.apache.ratis.proto.RaftProtos.GroupListRequestProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotReplyProto;
import org.apache.ratis.proto.RaftProtos.InstallSnapshotRequestProto;
import org.apache.ratis.proto.RaftProtos.RaftRpcRequestProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexReplyProto;
import org.apache.ratis.proto.RaftProtos.ReadIndexRequestProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteReplyProto;
import org.apache.ratis.proto.RaftProtos.RequestVoteRequestProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionReplyProto;
import org.apache.ratis.proto.RaftProtos.StartLeaderElectionRequestProto;
import org.apache.ratis.protocol.ClientId;
import org.apache.ratis.protocol.GroupListRequest;
import org.apache.ratis.protocol.RaftGroupId;
import org.apache.ratis.protocol.RaftPeer;
import org.apache.ratis.protocol.RaftPeerId;
import org.apache.ratis.protocol.exceptions.TimeoutIOException;
import org.apache.ratis.rpc.RpcType;
import org.apache.ratis.server.RaftServer;
import org.apache.ratis.server.RaftServerConfigKeys;
import org.apache.ratis.server.RaftServerRpc;
import org.apache.ratis.server.protocol.RaftServerAsynchronousProtocol;

/**
 * The Ratis server's RPC in dual mode: Raft arrives on both transports — Ratis's own gRPC services
 * on the Raft port (its {@code GrpcServicesImpl}, started and stopped with this RPC, whose outgoing
 * proxies stay unused) and {@code blixard.raft.v1} on the QUIC listener — and each request to a
 * peer goes over the transport the {@link RaftPathChooser} picks for it from the current strategy.
 * A call the chosen transport could not deliver ({@code UNAVAILABLE}, refused) is sent again at
 * once over the other one; a timed-out call is not (Ratis retries it, and the next call takes the
 * other transport). The peer's Raft address is its gRPC Raft port; its QUIC address comes from the
 * registry, and a peer without one is reached over gRPC.
 */
final class RaftRouterServerRpc
    implements RaftServerRpc, RaftServerAsynchronousProtocol, AppendStream.Opener {

  /** One Raft request, which either transport can carry. */
  private interface Call<R> {
    CompletableFuture<R> overQuic(QuicRpcChannel channel, String target);

    CompletableFuture<R> overGrpc(RaftPeer peer);
  }

  private record QuicTarget(String address, QuicRpcChannel channel) {}

  private final RaftServer server;
  private final RaftServerRpc grpcListener;
  private final QuicRaftEndpoint endpoint;
  private final Predicate<NodeId> trust;
  private final RaftRouting routing;
  private final RaftCalls quicCalls;
  private final GrpcRaftPath grpc;
  private final Duration timeout;
  private final Map<RaftPeerId, RaftPeer> peers = new ConcurrentHashMap<>();
  private final Map<RaftPeerId, QuicTarget> quicTargets = new ConcurrentHashMap<>();
  private final ClientId probeClient = ClientId.randomId();
  private final AtomicLong probeCalls = new AtomicLong();
  private final ScheduledExecutorService prober =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread thread = new Thread(r, "blixard-raft-probe");
            thread.setDaemon(true);
            return thread;
          });

  RaftRouterServerRpc(
      RaftServer server,
      RaftServerRpc grpcListener,
      QuicRaftEndpoint endpoint,
      Predicate<NodeId> trust,
      RaftRouting routing,
      GrpcRaftPath.ChannelLimits limits,
      org.apache.ratis.thirdparty.io.netty.handler.ssl.SslContext tls) {
    this.server = server;
    this.grpcListener = grpcListener;
    this.endpoint = endpoint;
    this.trust = trust;
    this.routing = routing;
    this.quicCalls = new RaftCalls(endpoint.metrics());
    this.timeout =
        Duration.ofMillis(
            RaftServerConfigKeys.Rpc.requestTimeout(server.getProperties())
                .toLong(TimeUnit.MILLISECONDS));
    this.grpc = new GrpcRaftPath(tls, limits, routing.grpcMetrics(), timeout);
  }

  @Override
  public RpcType getRpcType() {
    return RaftRouterRpcType.INSTANCE;
  }

  @Override
  public void start() throws IOException {
    endpoint.attach(server, trust);
    grpcListener.start();
    long every = routing.probeInterval().toMillis();
    prober.scheduleWithFixedDelay(this::probe, every, every, TimeUnit.MILLISECONDS);
  }

  @Override
  public void close() throws IOException {
    prober.shutdownNow();
    endpoint.detach(server);
    try {
      grpcListener.close();
    } finally {
      grpc.close();
      peers.clear();
      quicTargets.clear();
    }
  }

  @Override
  public InetSocketAddress getInetSocketAddress() {
    return grpcListener.getInetSocketAddress();
  }

  @Override
  public InetSocketAddress getClientServerAddress() {
    return grpcListener.getClientServerAddress();
  }

  @Override
  public InetSocketAddress getAdminServerAddress() {
    return grpcListener.getAdminServerAddress();
  }

  @Override
  public void notifyNotLeader(RaftGroupId groupId) {
    grpcListener.notifyNotLeader(groupId);
  }

  @Override
  public void addRaftPeers(Collection<RaftPeer> newPeers) {
    for (RaftPeer peer : newPeers) {
      if (!peer.getId().equals(server.getId())) {
        RaftPeer before = peers.put(peer.getId(), peer);
        if (before != null && !before.getAddress().equals(peer.getAddress())) {
          grpc.forget(before);
        }
        routing.measure(peer.getId().toString());
      }
    }
  }

  @Override
  public void handleException(RaftPeerId serverId, Exception e, boolean reconnect) {
    // Both paths redial on the next call: the QUIC pool with its backoff, gRPC's channel itself.
  }

  @Override
  public RaftServerAsynchronousProtocol async() {
    return this;
  }

  @Override
  public RequestVoteReplyProto requestVote(RequestVoteRequestProto request) throws IOException {
    return await(
        route(
            request.getServerRequest(),
            new Call<>() {
              @Override
              public CompletableFuture<RequestVoteReplyProto> overQuic(QuicRpcChannel c, String t) {
                return quicCalls.call(
                    c,
                    t,
                    RaftServiceGrpc.getRequestVoteMethod(),
                    request,
                    RequestVoteReplyProto.parser(),
                    timeout);
              }

              @Override
              public CompletableFuture<RequestVoteReplyProto> overGrpc(RaftPeer peer) {
                return grpc.unary(peer, "RequestVote", request, (s, q, r) -> s.requestVote(q, r));
              }
            }),
        request.getServerRequest());
  }

  @Override
  public AppendEntriesReplyProto appendEntries(AppendEntriesRequestProto request)
      throws IOException {
    return await(appendEntriesAsync(request), request.getServerRequest());
  }

  @Override
  public CompletableFuture<AppendEntriesReplyProto> appendEntriesAsync(
      AppendEntriesRequestProto request) {
    return route(
        request.getServerRequest(),
        new Call<>() {
          @Override
          public CompletableFuture<AppendEntriesReplyProto> overQuic(QuicRpcChannel c, String t) {
            return quicCalls.call(
                c,
                t,
                RaftServiceGrpc.getAppendEntriesMethod(),
                request,
                AppendEntriesReplyProto.parser(),
                timeout);
          }

          @Override
          public CompletableFuture<AppendEntriesReplyProto> overGrpc(RaftPeer peer) {
            return grpc.streamed(peer, "AppendEntries", request, (s, r) -> s.appendEntries(r));
          }
        });
  }

  @Override
  public InstallSnapshotReplyProto installSnapshot(InstallSnapshotRequestProto request)
      throws IOException {
    return await(
        route(
            request.getServerRequest(),
            new Call<>() {
              @Override
              public CompletableFuture<InstallSnapshotReplyProto> overQuic(
                  QuicRpcChannel c, String t) {
                return quicCalls.call(
                    c,
                    t,
                    RaftServiceGrpc.getInstallSnapshotMethod(),
                    request,
                    InstallSnapshotReplyProto.parser(),
                    timeout);
              }

              @Override
              public CompletableFuture<InstallSnapshotReplyProto> overGrpc(RaftPeer peer) {
                return grpc.streamed(
                    peer, "InstallSnapshot", request, (s, r) -> s.installSnapshot(r));
              }
            }),
        request.getServerRequest());
  }

  @Override
  public StartLeaderElectionReplyProto startLeaderElection(StartLeaderElectionRequestProto request)
      throws IOException {
    return await(
        route(
            request.getServerRequest(),
            new Call<>() {
              @Override
              public CompletableFuture<StartLeaderElectionReplyProto> overQuic(
                  QuicRpcChannel c, String t) {
                return quicCalls.call(
                    c,
                    t,
                    RaftServiceGrpc.getStartLeaderElectionMethod(),
                    request,
                    StartLeaderElectionReplyProto.parser(),
                    timeout);
              }

              @Override
              public CompletableFuture<StartLeaderElectionReplyProto> overGrpc(RaftPeer peer) {
                return grpc.unary(
                    peer, "StartLeaderElection", request, (s, q, r) -> s.startLeaderElection(q, r));
              }
            }),
        request.getServerRequest());
  }

  @Override
  public CompletableFuture<ReadIndexReplyProto> readIndexAsync(ReadIndexRequestProto request) {
    return route(
        request.getServerRequest(),
        new Call<>() {
          @Override
          public CompletableFuture<ReadIndexReplyProto> overQuic(QuicRpcChannel c, String t) {
            return quicCalls.call(
                c,
                t,
                RaftServiceGrpc.getReadIndexMethod(),
                request,
                ReadIndexReplyProto.parser(),
                timeout);
          }

          @Override
          public CompletableFuture<ReadIndexReplyProto> overGrpc(RaftPeer peer) {
            return grpc.unary(peer, "ReadIndex", request, (s, q, r) -> s.readIndex(q, r));
          }
        });
  }

  /**
   * The appender's stream to {@code follower}, over the transport the chooser picks for it now. The
   * stream keeps that transport: when the choice changes (the strategy, adaptive, or a failure on
   * this one), its next send fails it, and the appender opens the next stream on the new choice. A
   * stream the transport could not carry marks that transport down for the peer.
   */
  @Override
  public AppendStream open(RaftPeerId follower, AppendStream.Listener listener) {
    RaftPeer peer = peers.get(follower);
    if (peer == null) {
      listener.onError(RaftCallFailures.unknownPeer(server.getId(), follower));
      return AppendStream.Closed.INSTANCE;
    }
    return new RoutedAppendStream(peer, listener);
  }

  /** One appender stream, on the transport chosen when it opened. */
  private final class RoutedAppendStream implements AppendStream, AppendStream.Listener {
    private final String name;
    private final boolean quicKnown;
    private final Transport transport;
    private final AppendStream.Listener listener;
    private final AppendStream stream;
    private volatile boolean cancelled;

    RoutedAppendStream(RaftPeer peer, AppendStream.Listener listener) {
      this.name = peer.getId().toString();
      this.listener = listener;
      Optional<QuicRpcChannel> quic = quicChannel(peer.getId());
      this.quicKnown = quic.isPresent();
      this.transport = routing.chooser().choose(name, routing.strategy(), quicKnown);
      this.stream =
          transport == Transport.QUIC
              ? QuicAppendStream.open(
                  quic.orElseThrow(),
                  name,
                  new MeasuredAppendStream(endpoint.metrics(), this, this::replied))
              : grpc.appendStream(
                  peer, new MeasuredAppendStream(routing.grpcMetrics(), this, this::replied));
    }

    private void replied(long nanos) {
      routing.chooser().succeeded(name, transport, Duration.ofNanos(nanos));
    }

    @Override
    public void send(AppendEntriesRequestProto request) {
      Transport now = routing.chooser().choose(name, routing.strategy(), quicKnown);
      if (now != transport) {
        cancel();
        listener.onError(
            new ConnectException(
                "Raft traffic to " + name + " moves from " + transport + " to " + now));
        return;
      }
      stream.send(request);
    }

    @Override
    public void cancel() {
      cancelled = true;
      stream.cancel();
    }

    @Override
    public void abandon() {
      routing.chooser().failed(name, transport);
      cancel();
    }

    @Override
    public void onReply(AppendEntriesReplyProto reply) {
      listener.onReply(reply);
    }

    @Override
    public void onError(Throwable failure) {
      if (!cancelled && pathFailure(unwrap(failure))) {
        routing.chooser().failed(name, transport);
      }
      listener.onError(failure);
    }
  }

  /**
   * Probes every peer's down transports (under adaptive, both transports, for their latency) with a
   * read-only {@code groupList}: a success brings a down transport back.
   */
  private void probe() {
    try {
      boolean adaptive = routing.strategy() == RaftTransport.ADAPTIVE;
      RaftPathChooser chooser = routing.chooser();
      Duration deadline =
          routing.probeInterval().compareTo(timeout) < 0 ? routing.probeInterval() : timeout;
      for (RaftPeer peer : peers.values()) {
        String name = peer.getId().toString();
        Optional<QuicRpcChannel> quic = quicChannel(peer.getId());
        for (Transport transport : Transport.values()) {
          boolean known = transport == Transport.GRPC || quic.isPresent();
          if (known && (adaptive || chooser.isDown(name, transport))) {
            GroupListRequestProto request =
                ClientProtoUtils.toGroupListRequestProto(
                    new GroupListRequest(
                        probeClient,
                        peer.getId(),
                        RaftGroupId.emptyGroupId(),
                        probeCalls.incrementAndGet()));
            attempt(
                name,
                peer,
                quic,
                transport,
                new Call<GroupListReplyProto>() {
                  @Override
                  public CompletableFuture<GroupListReplyProto> overQuic(
                      QuicRpcChannel c, String t) {
                    return quicCalls.call(
                        c,
                        t,
                        RaftServiceGrpc.getGroupListMethod(),
                        request,
                        GroupListReplyProto.parser(),
                        deadline);
                  }

                  @Override
                  public CompletableFuture<GroupListReplyProto> overGrpc(RaftPeer p) {
                    return grpc.groupList(p, request, deadline);
                  }
                });
          }
        }
      }
    } catch (RuntimeException e) {
      // The next round tries again; a probe must never end the prober.
    }
  }

  private <R> CompletableFuture<R> route(RaftRpcRequestProto rpc, Call<R> call) {
    RaftPeerId to = RaftPeerId.valueOf(rpc.getReplyId());
    RaftPeer peer = peers.get(to);
    if (peer == null) {
      return CompletableFuture.failedFuture(RaftCallFailures.unknownPeer(server.getId(), to));
    }
    String name = to.toString();
    Optional<QuicRpcChannel> quic = quicChannel(to);
    RaftPathChooser chooser = routing.chooser();
    Transport chosen = chooser.choose(name, routing.strategy(), quic.isPresent());
    return attempt(name, peer, quic, chosen, call)
        .handle(
            (reply, failure) -> {
              if (failure == null) {
                return CompletableFuture.completedFuture(reply);
              }
              Throwable cause = unwrap(failure);
              Transport other = RaftPathChooser.other(chosen);
              boolean otherKnown = other == Transport.GRPC || quic.isPresent();
              if (notCarried(cause) && otherKnown && !chooser.isDown(name, other)) {
                chooser.using(name, other);
                return attempt(name, peer, quic, other, call);
              }
              return CompletableFuture.<R>failedFuture(cause);
            })
        .thenCompose(f -> f);
  }

  private <R> CompletableFuture<R> attempt(
      String name,
      RaftPeer peer,
      Optional<QuicRpcChannel> quic,
      Transport transport,
      Call<R> call) {
    long start = System.nanoTime();
    CompletableFuture<R> reply;
    try {
      reply =
          transport == Transport.QUIC
              ? call.overQuic(quic.orElseThrow(), name)
              : call.overGrpc(peer);
    } catch (RuntimeException e) {
      reply = CompletableFuture.failedFuture(e);
    }
    RaftPathChooser chooser = routing.chooser();
    return reply.whenComplete(
        (r, failure) -> {
          if (failure == null) {
            chooser.succeeded(name, transport, Duration.ofNanos(System.nanoTime() - start));
          } else if (pathFailure(unwrap(failure))) {
            chooser.failed(name, transport);
          }
        });
  }

  /**
   * Whether a failure says the transport did not carry the call, rather than the peer refused it:
   * not delivered ({@link #notCarried}) or not answered in time.
   */
  static boolean pathFailure(Throwable failure) {
    return notCarried(failure) || failure instanceof TimeoutIOException;
  }

  /**
   * Whether the call never reached the peer's Raft server: no connection, or a peer that does not
   * serve {@code blixard.raft.v1} on QUIC (a member without the router, during a rolling start).
   */
  static boolean notCarried(Throwable failure) {
    return failure instanceof ConnectException
        || io.grpc.Status.fromThrowable(failure).getCode() == io.grpc.Status.Code.UNIMPLEMENTED;
  }

  private Optional<QuicRpcChannel> quicChannel(RaftPeerId id) {
    NodeId node = NodeId.parse(id.toString());
    Optional<String> address = routing.quicAddress(node);
    if (address.isEmpty()) {
      return Optional.empty();
    }
    QuicTarget known = quicTargets.get(id);
    if (known == null || !known.address().equals(address.get())) {
      known = new QuicTarget(address.get(), endpoint.channel(node, address.get()));
      quicTargets.put(id, known);
    }
    return Optional.of(known.channel());
  }

  private <R> R await(CompletableFuture<R> reply, RaftRpcRequestProto rpc) throws IOException {
    String target = RaftPeerId.valueOf(rpc.getReplyId()).toString();
    try {
      return reply.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while waiting for a Raft reply from " + target);
    } catch (ExecutionException e) {
      Throwable cause = unwrap(e);
      if (cause instanceof IOException io) {
        throw io;
      }
      throw new IOException("Raft call to " + target + " failed: " + cause, cause);
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
