package io.blixard.contract;

import io.blixard.transport.Transport;

class TransportOverGrpcTest extends TransportContractTest {

  @Override
  protected Transport transport() {
    return Transport.GRPC;
  }
}
