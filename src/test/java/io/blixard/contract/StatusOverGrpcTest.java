package io.blixard.contract;

import io.blixard.transport.Transport;

class StatusOverGrpcTest extends StatusContractTest {

  @Override
  protected Transport transport() {
    return Transport.GRPC;
  }
}
