package io.blixard.support;

import io.blixard.node.NodeIdentity;
import io.blixard.security.OperatorIdentity;
import io.blixard.transport.grpc.GrpcChannelFactory;
import java.time.Duration;

/**
 * The operator of the nodes under test: the identity in {@code $BLIXARD_CONFIG_DIR} (the build sets
 * it to {@code target/test-operator}), which a node started by a test makes an operator when it
 * bootstraps, and which the command line presents.
 */
public final class TestOperator {

  private TestOperator() {}

  public static NodeIdentity identity() {
    return OperatorIdentity.loadOrCreate(OperatorIdentity.defaultDirectory());
  }

  /** gRPC channels that present the operator's certificate, TLS or plaintext as the node speaks. */
  public static GrpcChannelFactory grpcChannels() {
    return GrpcChannelFactory.of(GrpcChannelFactory.Tls.AUTO, identity(), Duration.ofSeconds(5));
  }
}
