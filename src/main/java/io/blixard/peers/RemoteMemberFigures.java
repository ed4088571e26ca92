package io.blixard.peers;

import io.blixard.cluster.ClusterView;
import io.blixard.cluster.RegisteredNode;
import io.blixard.migration.FigureProtos;
import io.blixard.migration.MemberFigures;
import io.blixard.migration.NodeFigures;
import io.blixard.proto.transport.v1.GetTransportFiguresRequest;
import io.blixard.proto.transport.v1.GetTransportFiguresResponse;
import io.blixard.proto.transport.v1.TransportServiceGrpc;
import io.blixard.rpc.TransportFigures;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@link MemberFigures} of the registry's members: this node's own figures directly, every other
 * member's through {@code TransportService/GetTransportFigures} over the peer channels, all asked
 * at once. A member is asked over gRPC, or over QUIC when it has no gRPC address (a node in {@code
 * quic} mode), so that a canary's trouble on QUIC does not hide the figures that show it.
 */
public class RemoteMemberFigures implements MemberFigures {

  private static final Logger log = LoggerFactory.getLogger(RemoteMemberFigures.class);

  private final ClusterView view;
  private final PeerChannels channels;
  private final TransportFigures local;

  public RemoteMemberFigures(ClusterView view, PeerChannels channels, TransportFigures local) {
    this.view = view;
    this.channels = channels;
    this.local = local;
  }

  @Override
  public List<NodeFigures> collect(Duration timeout) {
    String self = view.nodeId().value();
    List<RegisteredNode> peers =
        view.registry().stream().filter(n -> !n.nodeId().value().equals(self)).toList();
    ConcurrentLinkedQueue<NodeFigures> answers = new ConcurrentLinkedQueue<>();
    CountDownLatch done = new CountDownLatch(peers.size());
    for (RegisteredNode peer : peers) {
      Optional<String> address = addressOf(peer);
      if (address.isEmpty()) {
        done.countDown();
        continue;
      }
      try {
        TransportServiceGrpc.newStub(channels.channel(address.get()))
            .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS)
            .getTransportFigures(
                GetTransportFiguresRequest.getDefaultInstance(),
                new StreamObserver<>() {
                  @Override
                  public void onNext(GetTransportFiguresResponse answer) {
                    Optional<NodeFigures> figures = FigureProtos.fromProto(answer);
                    if (figures.isEmpty()) {
                      log.debug(
                          "Member {} counts its calls in other latency buckets; left out",
                          peer.nodeId().shortForm());
                    } else if (!answer.getNodeId().equals(peer.nodeId().value())) {
                      log.debug("Member {} answered as {}", peer.nodeId(), answer.getNodeId());
                    } else {
                      answers.add(figures.get());
                    }
                  }

                  @Override
                  public void onError(Throwable t) {
                    log.debug(
                        "No transport figures from {}: {}",
                        peer.nodeId().shortForm(),
                        t.toString());
                    done.countDown();
                  }

                  @Override
                  public void onCompleted() {
                    done.countDown();
                  }
                });
      } catch (RuntimeException e) {
        log.debug("No transport figures from {}: {}", peer.nodeId().shortForm(), e.toString());
        done.countDown();
      }
    }
    List<NodeFigures> all = new ArrayList<>();
    FigureProtos.fromProto(FigureProtos.toProto(self, local)).ifPresent(all::add);
    try {
      done.await(timeout.toMillis() + 100, TimeUnit.MILLISECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    all.addAll(answers);
    return all;
  }

  private Optional<String> addressOf(RegisteredNode peer) {
    if (!peer.grpcAddress().isEmpty()) {
      return Optional.of(peer.grpcAddress());
    }
    return peer.quicAddress().isEmpty()
        ? Optional.empty()
        : Optional.of(peer.nodeId().value() + "@" + peer.quicAddress());
  }
}
