package io.blixard.support;

import io.blixard.node.NodeEndpoints;
import io.blixard.node.NodeIdentity;
import io.blixard.transport.Transport;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;

/** Client channels to a node under test, one kind per transport. */
public final class TestChannels {

  private TestChannels() {}

  public static ManagedChannel open(
      Transport transport, NodeEndpoints endpoints, NodeIdentity identity) {
    return switch (transport) {
      case GRPC ->
          ManagedChannelBuilder.forAddress(
                  "127.0.0.1", endpoints.address(NodeEndpoints.Kind.GRPC).orElseThrow().getPort())
              .usePlaintext()
              .build();
      case QUIC -> throw new UnsupportedOperationException("QUIC client channel: not merged yet");
    };
  }
}
