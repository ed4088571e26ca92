package io.blixard.bench;

import io.blixard.cluster.registry.RegistryCommands;
import io.blixard.node.NodeId;
import io.blixard.proto.cluster.v1.Admission;
import io.blixard.proto.cluster.v1.RegistryCommand;
import io.blixard.proto.security.v1.ChangeResponse;
import io.blixard.proto.security.v1.SecurityServiceGrpc;
import io.blixard.proto.security.v1.SignedChange;
import io.blixard.security.CommandSigner;
import io.grpc.Channel;
import io.grpc.stub.StreamObserver;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Registry writes through Raft as a {@link Target}: each call is a {@code SecurityService/Admit}
 * of an operator-signed admission, sent over gRPC-TLS to the cluster's leader, answered once the
 * entry is committed and applied. Worker {@code w} admits the same node id every time, so the
 * registry does not grow with the number of writes. Streams and cold connects are not writes.
 */
final class RaftWriteTarget implements Target {

  private static final long DEADLINE_SECONDS = 30;

  private final String name;
  private final RaftCluster cluster;
  private final CommandSigner signer;
  private volatile RaftCluster.Node leader;
  private volatile GrpcChannels channels;
  private volatile Channel channel;
  private volatile int requestBytes;

  /** Writes named {@code name} in the report, e.g. {@code raft-quic}, to {@code cluster}. */
  RaftWriteTarget(String name, RaftCluster cluster) {
    this.name = name;
    this.cluster = cluster;
    this.signer = CommandSigner.of(cluster.operator());
  }

  @Override
  public String name() {
    return name;
  }

  /** Finds the leader (it changes after a kill) and connects to it, then writes once. */
  @Override
  public void prepare(int workers) throws Exception {
    RaftCluster.Node now = cluster.leader();
    if (now != leader || channel == null) {
      close();
      leader = now;
      channels = GrpcChannels.tls(now.host, now.grpcPort, now.id, cluster.operator());
      channel = channels.open();
    }
    unary(0, new byte[0]).get(60, TimeUnit.SECONDS);
  }

  /**
   * The bytes of one write's request, for the report: measured once, since an ECDSA signature's
   * length varies by a byte or two and a cell is one payload size in every round.
   */
  int requestBytes() {
    if (requestBytes == 0) {
      requestBytes = change(0).getSerializedSize();
    }
    return requestBytes;
  }

  private SignedChange change(int worker) {
    NodeId admitted =
        NodeId.ofSubjectPublicKeyInfo(
            ("raft bench writer " + worker).getBytes(StandardCharsets.UTF_8));
    // Signed anew for every write: the leader refuses commands issued more than a minute ago.
    return SignedChange.newBuilder()
        .setSignedCommand(
            RegistryCommands.sign(
                    signer,
                    RegistryCommand.newBuilder()
                        .setAdmit(
                            Admission.newBuilder()
                                .setNodeId(admitted.value())
                                .setComment("raft bench")))
                .toByteString())
        .build();
  }

  @Override
  public CompletableFuture<Void> unary(int worker, byte[] payload) {
    CompletableFuture<Void> committed = new CompletableFuture<>();
    SecurityServiceGrpc.newStub(channel)
        .withDeadlineAfter(DEADLINE_SECONDS, TimeUnit.SECONDS)
        .admit(
            change(worker),
            new StreamObserver<ChangeResponse>() {
              @Override
              public void onNext(ChangeResponse value) {}

              @Override
              public void onError(Throwable t) {
                committed.completeExceptionally(t);
              }

              @Override
              public void onCompleted() {
                committed.complete(null);
              }
            });
    return committed;
  }

  @Override
  public CompletableFuture<Integer> stream(int count, byte[] payload) {
    throw new UnsupportedOperationException("registry writes have no stream");
  }

  @Override
  public long coldConnect() {
    throw new UnsupportedOperationException("registry writes have no cold connect");
  }

  @Override
  public void close() {
    Channel current = channel;
    channel = null;
    if (current != null) {
      channels.close(current);
    }
  }
}
