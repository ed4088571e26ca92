package io.blixard.contract;

import io.blixard.transport.Transport;

class BadRequestOverGrpcTest extends BadRequestContractTest {

  @Override
  protected Transport transport() {
    return Transport.GRPC;
  }
}
