package io.blixard.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.blixard.node.NodeAddress;
import io.blixard.node.NodeIdentity;
import io.blixard.proto.status.v1.GetClusterStatusRequest;
import io.blixard.proto.status.v1.StatusServiceGrpc;
import io.blixard.support.TestNode;
import io.blixard.transport.grpc.GrpcChannelFactory;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class AccessOverGrpcTest extends AccessContractTest {

  @Override
  Channels channels(TestNode node) {
    List<ManagedChannel> opened = new ArrayList<>();
    return new Channels() {
      @Override
      public Channel channel(NodeIdentity identity) {
        ManagedChannel channel =
            GrpcChannelFactory.of(GrpcChannelFactory.Tls.ON, identity, Duration.ofSeconds(5))
                .newChannel(NodeAddress.of("127.0.0.1", node.grpcPort()));
        opened.add(channel);
        return channel;
      }

      @Override
      public void close() {
        opened.forEach(ManagedChannel::shutdownNow);
      }
    };
  }

  @Override
  Status.Code anonymousRefusal() {
    return Status.Code.UNAUTHENTICATED;
  }

  @Test
  void plaintextIsNotSpokenByDefault() {
    ManagedChannel plaintext =
        GrpcChannelFactory.plaintext().newChannel(NodeAddress.of("127.0.0.1", node.grpcPort()));
    try {
      assertThatThrownBy(
              () ->
                  StatusServiceGrpc.newBlockingStub(plaintext)
                      .withDeadlineAfter(5, TimeUnit.SECONDS)
                      .getClusterStatus(GetClusterStatusRequest.getDefaultInstance()))
          .isInstanceOfSatisfying(
              StatusRuntimeException.class,
              e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
    } finally {
      plaintext.shutdownNow();
    }
  }
}
