package io.blixard.contract;

import io.blixard.transport.Transport;

class HealthOverGrpcTest extends HealthContractTest {

  @Override
  protected Transport transport() {
    return Transport.GRPC;
  }
}
